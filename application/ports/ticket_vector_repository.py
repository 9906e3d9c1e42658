"""Port: the stored text vector of every ticket, per company and model version (similar tickets, duplicates)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.similar_tickets import StoredVector, TicketToEmbed


class TicketVectorRepository(Protocol):
    """Ticket vectors (`StoredVector`), written beside the analyses and read to build each company's search index.

    Contract: every read is scoped to one company AND one model version: it returns only vectors stored with both,
    so a ticket never sees another company's tickets and vectors of two versions are never compared. A ticket has
    at most one vector per version: `add_many` ignores a vector for a ticket that already has one in that version
    (stored before, or earlier in the same call). Ids grow with insertion order. Writes are staged in the caller's
    unit of work and become durable only when it commits; the repository never commits.
    """

    async def add_many(self, vectors: Sequence[StoredVector]) -> None: ...

    async def load(
        self, company_id: int, model_version: str, after_id: int = 0, limit: int | None = None
    ) -> Sequence[StoredVector]:
        """The company's vectors in that version whose id is above `after_id`, in id order, at most `limit` (all of
        them by default; a later call with the last id seen reads only what came since)."""
        ...

    async def for_analysis(self, company_id: int, model_version: str, analysis_id: int) -> StoredVector | None:
        """The analysis's vector in that version; None when it has none there or belongs to another company."""
        ...

    async def count(self, company_id: int, model_version: str) -> int: ...

    async def label_analysis(self, company_id: int, analysis_id: int, category: str) -> None:
        """A person gave the analysis `category`: its vectors (every version) show it as a human label."""
        ...

    async def to_embed(self, company_id: int, model_version: str, limit: int) -> Sequence[TicketToEmbed]:
        """Up to `limit` tickets of the company that have a vector in another version but none in this one, oldest
        first, with their texts: what re-embedding into `model_version` still has to do."""
        ...

    async def delete_other_versions(self, company_id: int, model_version: str) -> int:
        """Deletes the company's vectors of every version but `model_version`; how many were deleted."""
        ...

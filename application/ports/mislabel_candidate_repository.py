"""Port: the tickets a training run found likely mislabelled, and what admins decided about them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.mislabels import MislabelCandidate


class MislabelCandidateRepository(Protocol):
    """Mislabel candidates by id and by training run.

    Contract: candidates read back as added (probabilities exact, times the same instant); `record_resolution`
    writes only the resolution, who and when. Listing orders unresolved candidates first, then by given-label
    probability ascending, then by id; `label` filters on the given label (None: every label). Writes wait
    for the unit of work's commit.
    """

    async def add_many(self, candidates: Sequence[MislabelCandidate]) -> list[MislabelCandidate]:
        """Stages the candidates and returns them with their ids, in order."""
        ...

    async def get(self, candidate_id: int) -> MislabelCandidate | None: ...

    async def record_resolution(self, candidate: MislabelCandidate) -> None:
        """Stores `candidate`'s resolution, resolved_by and resolved_at on the candidate with its id."""
        ...

    async def latest_run_id(self) -> int | None:
        """The newest training run (highest id) that has candidates; None if none has."""
        ...

    async def list_page(
        self, training_run_id: int, label: str | None, offset: int, limit: int
    ) -> Sequence[MislabelCandidate]: ...

    async def count(self, training_run_id: int, label: str | None) -> int: ...

    async def unresolved_per_label(self, training_run_id: int) -> dict[str, int]:
        """Unresolved candidates of the run per given label, labels in alphabetical order."""
        ...

    async def confirmed_ticket_ids(self) -> set[int]:
        """Labelled tickets whose label an admin confirmed in any run: not listed again."""
        ...

"""Port: the in-memory search over a company's ticket vectors of one model version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.predictions import Vector
from domain.similar_tickets import SimilarTicket, StoredVector


class VectorIndex(Protocol):
    """Per company and model version, the vectors added so far, searched exactly by cosine similarity.

    Contract: a search looks only at the vectors added under the same company AND model version, so a ticket never
    sees another company's tickets and vectors of two versions are never compared. A ticket (its analysis or
    labelled ticket id) added twice under one key is held once. Searches and large additions run off the event
    loop; concurrent searches may be answered together. Nothing is persisted: after a restart the caller adds the
    stored vectors again (`loaded` says whether it has).
    """

    def loaded(self, company_id: int, model_version: str) -> bool:
        """True once `mark_loaded` was called for the key (and `forget` not since)."""
        ...

    def mark_loaded(self, company_id: int, model_version: str) -> None:
        """The key's stored vectors are all added; may take time (callers run it off the event loop)."""
        ...

    def last_stored_id(self, company_id: int, model_version: str) -> int:
        """The highest repository id among the vectors added under the key (0 when none had one)."""
        ...

    def size(self, company_id: int, model_version: str) -> int: ...

    async def add(self, company_id: int, model_version: str, vectors: Sequence[StoredVector]) -> None: ...

    async def search(
        self,
        company_id: int,
        model_version: str,
        vector: Vector,
        k: int,
        min_similarity: float,
        exclude_analysis_id: int | None = None,
    ) -> list[SimilarTicket]:
        """Up to `k` tickets with a cosine of at least `min_similarity` with `vector`, most similar first (ties
        by the earlier ticket); `exclude_analysis_id` is left out."""
        ...

    async def search_earlier(
        self, vectors: Sequence[StoredVector], k: int, min_similarity: float, searched_from: int = 0
    ) -> list[list[SimilarTicket]]:
        """For each of `vectors[searched_from:]` (tickets stored together, in their order), what `search` would
        find among the ones before it in the sequence had they been added first: up to `k` of the same company AND
        model version with a cosine of at least `min_similarity`, most similar first (ties by the earlier
        position), each shown as `StoredVector.found` shows it. The first `searched_from` vectors are only found,
        never searched for: one list per vector from `searched_from` on. Reads and changes no key's vectors;
        vectors of one version with different dimensions are a ValueError."""
        ...

    def label_analysis(self, company_id: int, analysis_id: int, category: str) -> None:
        """A person gave the analysis `category`: its rows (every version) show it as a human label."""
        ...

    def forget(self, company_id: int, model_version: str) -> None:
        """Drops the key's vectors (a version no longer served)."""
        ...

    def memory_bytes(self) -> int:
        """Bytes held by every key's vectors and their metadata arrays."""
        ...

"""The tickets most similar to a recorded analysis (GET /api/analyses/{id}/similar)."""

from __future__ import annotations

from application.services.similar_tickets import SimilarTickets
from domain.similar_tickets import SimilarTicket


class FindSimilarTickets:
    """Up to `k` earlier tickets of the analysis's company closest to it, most similar first (`SimilarTickets`);
    an unknown analysis is NotFound, a `k` out of bounds InvalidInput naming `k`."""

    def __init__(self, similar: SimilarTickets) -> None:
        self._similar = similar

    async def execute(self, analysis_id: int, k: int) -> list[SimilarTicket]:
        return await self._similar.for_analysis(analysis_id, k)

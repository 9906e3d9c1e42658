"""Port: the record of every analysis answered (the write side; browsing is `AnalysisQueries`)."""

from __future__ import annotations

from typing import Protocol

from domain.analysis import TicketAnalysis


class AnalysisRepository(Protocol):
    """Analyses by id, and the labelled ticket that confirmed or corrected each.

    Contract: `add` assigns a new id; `get` returns the analysis as added (its time the same instant) or None,
    its decisions included except `category_answered`/`team_answered` (read back True, except a category whose
    reason is `monitor_mode`) and the prediction's thresholds (read back None); an analysis outlives its
    company. Writes wait for the unit of work's commit.
    """

    async def add(self, analysis: TicketAnalysis) -> TicketAnalysis:
        """Stages the analysis and returns it with its id assigned."""
        ...

    async def get(self, analysis_id: int) -> TicketAnalysis | None: ...

    async def count(self) -> int: ...

    async def link_feedback(self, analysis_id: int, labelled_ticket_id: int) -> None:
        """Records that the analysis was confirmed or corrected by that labelled ticket and takes it off the
        review queue (`review_pending` false); a later link replaces an earlier one; a missing analysis is a
        no-op (callers check first)."""
        ...

    async def feedback_ticket_id(self, analysis_id: int) -> int | None:
        """The labelled ticket last linked by `link_feedback`, or None."""
        ...

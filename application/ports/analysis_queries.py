"""Port: the read model the admin site browses analyses with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.analysis import AnalysisFilter, TicketAnalysis


class AnalysisQueries(Protocol):
    """Filtered, paged and counted views of the stored analyses. Reads only: nothing here ever writes.

    Contract: "matching" means exactly `AnalysisFilter.matches` (the category case-insensitively); pages are
    newest first (highest id first), `offset` analyses skipped, at most `limit` returned.
    """

    async def list_page(self, criteria: AnalysisFilter, offset: int, limit: int) -> Sequence[TicketAnalysis]: ...

    async def count_matching(self, criteria: AnalysisFilter) -> int: ...

    async def count_since(self, moment: datetime) -> int:
        """Analyses created at or after `moment`."""
        ...

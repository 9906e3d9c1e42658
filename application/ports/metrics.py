"""Port: what the service tells operators about its own work, in domain terms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Metrics(Protocol):
    """Counts and timings for monitoring.

    Contract: every call is cheap, never blocks on I/O and never raises; the adapter decides how the figures are
    kept and exposed (and aggregates them over every process of the service).
    """

    def analyses_answered(self, count: int, seconds: float, batch: bool) -> None:
        """One analyze call (`batch`: the batch endpoint's) answered `count` tickets in `seconds`."""
        ...

    def analyses_counted(self, count: int) -> None:
        """`count` recorded analyses were counted towards the retraining threshold."""
        ...

    def bursts(self, per_company: Mapping[int, int]) -> None:
        """The bursts found now, per company (companies without one at 0): the latest detection replaces the last,
        and a company missing from `per_company` (deleted since) is no longer reported."""
        ...

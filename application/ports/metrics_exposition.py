"""Port: the metrics as a scraper reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from domain.training_runs import RunStatus


@dataclass(frozen=True, slots=True)
class MetricsPage:
    body: bytes
    content_type: str


class MetricsExposition(Protocol):
    """Renders every metric the service keeps, gathered over all of its processes, plus the figures read from the
    database at scrape time. Contract: never blocks on the network; reads local files at most."""

    def render(self, training_runs: Mapping[RunStatus, int]) -> MetricsPage: ...

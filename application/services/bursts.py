"""Bursts: many tickets of one company saying nearly the same thing within a short window (a major-incident signal).

The tickets of the last window are read through the ports for every company and grouped by the `BurstFinder` (in
each company's version space, `domain.ticket_groups.in_one_space`) in a thread, off the event loop. The result is
kept and served to every reader until it is `refresh_seconds` old, so the dashboard and the metrics scrape cost one
detection per interval however often they are read. Each process keeps its own (every process computes the same bursts).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from application.ports.burst_finder import BurstFinder
from application.ports.clock import Clock
from application.ports.company_repository import CompanyRepository
from application.ports.metrics import Metrics
from application.ports.ticket_group_queries import TicketGroupQueries
from application.ports.unit_of_work import Transaction
from domain.ticket_groups import Burst, BurstPolicy, GroupedTicket


class BurstsUnitOfWork(Transaction, Protocol):
    companies: CompanyRepository
    ticket_groups: TicketGroupQueries


@dataclass(frozen=True, slots=True)
class BurstReport:
    """The bursts found at `detected_at`, biggest first, over the window that ended then."""

    bursts: tuple[Burst, ...]
    detected_at: datetime
    policy: BurstPolicy
    company_names: dict[int, str]


class BurstWatch:
    """One per process (it keeps the latest report)."""

    def __init__(
        self,
        uow_factory: Callable[[], BurstsUnitOfWork],
        clock: Clock,
        metrics: Metrics,
        finder: BurstFinder,
        policy: BurstPolicy,
        refresh_seconds: float,
        max_tickets: int,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._metrics = metrics
        self._finder = finder
        self.policy = policy
        self._refresh = timedelta(seconds=refresh_seconds)
        self._max_tickets = max_tickets
        self._report: BurstReport | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> BurstReport:
        """The latest report, detected again first when it is older than `refresh_seconds` (concurrent callers
        wait for the same detection)."""
        async with self._lock:
            report = self._report
            if report is None or self._clock.now() - report.detected_at >= self._refresh:
                report = self._report = await self._detect()
        return report

    async def _detect(self) -> BurstReport:
        now = self._clock.now()
        since = now - self.policy.window
        tickets: list[GroupedTicket] = []
        async with self._uow_factory() as uow:
            companies = await uow.companies.list()
            for company in companies:
                assert company.id is not None
                for version in await uow.ticket_groups.versions(company.id):
                    tickets.extend(await uow.ticket_groups.recent(company.id, version, since, self._max_tickets))
        # CPU-bound (n² cosines for scattered tickets): in a thread, so the loop serves requests meanwhile.
        bursts = tuple(await asyncio.to_thread(self._finder.find, tickets, self.policy))
        per_company = {company.id: 0 for company in companies if company.id is not None}
        for burst in bursts:
            per_company[burst.company_id] = per_company.get(burst.company_id, 0) + 1
        self._metrics.bursts(per_company)
        names = {company.id: company.name for company in companies if company.id is not None}
        return BurstReport(bursts, now, self.policy, names)

"""Companies and their teams (parsed embeddings included), cached in the process and checked against the stamp.

Why: every analysis needs its company and, to route, its teams; reading and parsing them per request costs a
round trip and a JSON parse of every team embedding. The cache answers instead as long as the catalogue stamp
(`application.ports.catalogue_stamp`), one cheap read, has not moved. Every company or team write moves it in
its own transaction, so a change made through any process is seen by every other process's next request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from application.ports.catalogue_stamp import CatalogueStamp
from application.ports.company_repository import CompanyRepository
from application.ports.team_repository import TeamRepository
from application.ports.unit_of_work import Transaction
from domain.companies import Company, Team


class CatalogueUnitOfWork(Transaction, Protocol):
    companies: CompanyRepository
    teams: TeamRepository
    catalogue_stamp: CatalogueStamp


@dataclass(frozen=True, slots=True)
class CompanyEntry:
    company: Company
    teams: Sequence[Team]


class CompanyCatalogue:
    """One per process. `lookup` reads the stamp in the caller's transaction, so the stamp and whatever is loaded
    with it come from the same snapshot; an entry is kept only under the stamp it was read with."""

    def __init__(self) -> None:
        self._stamp: int | None = None
        self._entries: dict[int, CompanyEntry] = {}

    async def lookup(self, uow: CatalogueUnitOfWork, company_id: int) -> CompanyEntry | None:
        """The company with its teams, or None when there is no such company (a miss is never cached)."""
        stamp = await uow.catalogue_stamp.current()
        if self._stamp is None or stamp > self._stamp:
            self._stamp, self._entries = stamp, {}
        if stamp == self._stamp:
            cached = self._entries.get(company_id)
            if cached is not None:
                return cached
        company = await uow.companies.get(company_id)
        if company is None:
            return None
        entry = CompanyEntry(company, tuple(await uow.teams.list_for_company(company_id)))
        # Another request may have seen a newer stamp meanwhile; an older snapshot must not land under it.
        if stamp == self._stamp:
            self._entries[company_id] = entry
        return entry

    def clear(self) -> None:
        self._stamp, self._entries = None, {}

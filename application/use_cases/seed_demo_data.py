from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from application.ports.company_repository import CompanyRepository
from application.ports.team_repository import TeamRepository
from application.ports.text_embedder import TextEmbedder
from application.ports.unit_of_work import Transaction
from application.use_cases.teams import TeamDraft
from domain.companies import Company, CompanyFlags
from domain.decision_policy import DecisionPolicy

DEMO_TEAMS = (
    TeamDraft(
        "Workplace hardware",
        "Hardware",
        "Laptops, desktops, monitors, docking stations, printers, keyboards and phones.",
    ),
    TeamDraft(
        "Identity and access", "Access", "Accounts, passwords, logins, VPN, permissions to folders and applications."
    ),
    TeamDraft("People services", "HR Support", "Payroll, leave, contracts, onboarding and leavers, HR systems."),
    TeamDraft("Storage and backup", "Storage", "Shared drives, mailbox quota, disk space, backups and file restores."),
    TeamDraft("Procurement", "Purchase", "Orders, quotes, invoices, licences and purchase approvals."),
)


class SeedDemoUnitOfWork(Transaction, Protocol):
    companies: CompanyRepository
    teams: TeamRepository


class SeedDemoData:
    """Gives a fresh embedded install a demo company (id 1) with a few teams, so the seed's example works.

    The demo company trusts uncalibrated models: a fresh install serves the zero-shot classifier, which has no
    measured precision, and the seed's example assigns a team. Companies created otherwise default to not
    trusting it (every decision of an uncalibrated model is `review`).

    Checked and created in one transaction, so `serve --workers N` starting N processes at once on a fresh
    SQLite database (whose transactions are serialised) creates the company once."""

    def __init__(self, uow_factory: Callable[[], SeedDemoUnitOfWork], embedder: TextEmbedder) -> None:
        self._uow_factory = uow_factory
        self._embedder = embedder

    async def execute(self) -> bool:
        async with self._uow_factory() as uow:
            if await uow.companies.list():
                return False
        # Embedding outside the transaction: no connection is held while the model runs.
        drafts = [draft.to_team(0) for draft in DEMO_TEAMS]
        embeddings = await self._embedder.embed([team.embedding_text() for team in drafts])
        async with self._uow_factory() as uow:
            if await uow.companies.list():
                return False
            demo_policy = DecisionPolicy(trust_uncalibrated=True)
            company = await uow.companies.add(Company(None, "Demo Company", CompanyFlags(), demo_policy))
            assert company.id is not None
            for team, embedding in zip(drafts, embeddings, strict=True):
                await uow.teams.add(replace(team, company_id=company.id, embedding=tuple(embedding)))
            await uow.commit()
        return True

from __future__ import annotations

from application.use_cases.companies import CreateCompany, ListCompanies
from application.use_cases.teams import CreateTeam, TeamDraft
from domain.companies import CompanyFlags
from domain.decisions import DecisionPolicy

DEMO_TEAMS = (
    TeamDraft("Workplace hardware", "Hardware", "Laptops, desktops, monitors, docking stations, printers, keyboards and phones."),
    TeamDraft("Identity and access", "Access", "Accounts, passwords, logins, VPN, permissions to folders and applications."),
    TeamDraft("People services", "HR Support", "Payroll, leave, contracts, onboarding and leavers, HR systems."),
    TeamDraft("Storage and backup", "Storage", "Shared drives, mailbox quota, disk space, backups and file restores."),
    TeamDraft("Procurement", "Purchase", "Orders, quotes, invoices, licences and purchase approvals."),
)


class SeedDemoData:
    """Gives a fresh embedded install a demo company (id 1) with a few teams, so the seed's example works.

    The demo company trusts uncalibrated models: a fresh install serves the zero-shot classifier, which has no
    measured precision, and the seed's example assigns a team. Companies created otherwise default to not
    trusting it (every decision of an uncalibrated model is `review`)."""

    def __init__(self, list_companies: ListCompanies, create_company: CreateCompany, create_team: CreateTeam) -> None:
        self._list_companies = list_companies
        self._create_company = create_company
        self._create_team = create_team

    async def execute(self) -> bool:
        if await self._list_companies.execute():
            return False
        demo_policy = DecisionPolicy(trust_uncalibrated=True)
        company = await self._create_company.execute("Demo Company", CompanyFlags(), demo_policy)
        assert company.id is not None
        for draft in DEMO_TEAMS:
            await self._create_team.execute(company.id, draft)
        return True

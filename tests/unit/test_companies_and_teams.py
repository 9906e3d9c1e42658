from __future__ import annotations

import pytest

from application.use_cases.companies import CompanyChanges, CreateCompany, DeleteCompany, GetCompany, UpdateCompany
from application.use_cases.teams import CreateTeam, DeleteTeam, ListTeams, TeamChanges, TeamDraft, UpdateTeam
from domain.errors import CompanyNotFound, InvalidInput, TeamNotFound
from tests.unit.fakes import FakeEmbedder, FakeUnitOfWorkFactory


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


async def test_company_lifecycle(uow: FakeUnitOfWorkFactory) -> None:
    company = await CreateCompany(uow).execute(CompanyChanges(name="  Acme ", auto_assign=False))
    assert company.name == "Acme" and not company.flags.auto_assign
    updated = await UpdateCompany(uow).execute(company.id, CompanyChanges(auto_assign=True, name="Acme Ltd"))
    assert updated.flags.auto_assign and updated.name == "Acme Ltd" and updated.flags.auto_categorize
    assert await GetCompany(uow).execute(company.id) == updated
    await DeleteCompany(uow).execute(company.id)
    with pytest.raises(CompanyNotFound):
        await GetCompany(uow).execute(company.id)


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 201])
async def test_company_name_is_validated(uow: FakeUnitOfWorkFactory, name: str | None) -> None:
    with pytest.raises(InvalidInput) as raised:
        await CreateCompany(uow).execute(CompanyChanges(name=name))
    assert raised.value.field == "name" and uow.store.commits == 0


async def test_team_embedding_is_computed_on_create_and_recomputed_when_text_changes(
    uow: FakeUnitOfWorkFactory,
) -> None:
    embedder = FakeEmbedder()
    company = await CreateCompany(uow).execute(CompanyChanges(name="Acme"))
    team = await CreateTeam(uow, embedder).execute(company.id, TeamDraft("Desk", "Hardware", "laptops"))
    assert team.embedding == embedder._vector(team.embedding_text())
    renamed = await UpdateTeam(uow, embedder).execute(team.id, TeamChanges(description="printers and scanners"))
    assert renamed.embedding == embedder._vector(renamed.embedding_text()) != team.embedding
    calls = len(embedder.calls)
    await UpdateTeam(uow, embedder).execute(team.id, TeamChanges(description="printers and scanners"))
    assert len(embedder.calls) == calls, "unchanged text must not be embedded again"
    assert [t.id for t in await ListTeams(uow).execute(company.id)] == [team.id]
    await DeleteTeam(uow).execute(team.id)
    with pytest.raises(TeamNotFound):
        await DeleteTeam(uow).execute(team.id)


async def test_team_for_unknown_company_is_refused(uow: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(CompanyNotFound):
        await CreateTeam(uow, FakeEmbedder()).execute(5, TeamDraft("Desk"))
    assert uow.store.teams == {}


async def test_deleting_a_company_deletes_its_teams(uow: FakeUnitOfWorkFactory) -> None:
    company = await CreateCompany(uow).execute(CompanyChanges(name="Acme"))
    await CreateTeam(uow, FakeEmbedder()).execute(company.id, TeamDraft("Desk"))
    await DeleteCompany(uow).execute(company.id)
    assert uow.store.teams == {}

"""Use cases that manage customer companies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from application.ports.company_repository import CompanyRepository
from application.ports.unit_of_work import Transaction
from domain.companies import Company, CompanyFlags, require_name
from domain.decision_policy import DecisionMode, DecisionPolicy
from domain.errors import CompanyNotFound, InvalidInput


class CompanyUnitOfWork(Transaction, Protocol):
    """What the company use cases touch."""

    companies: CompanyRepository


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CompanyChanges:
    """A company's settings as a caller gives them: None leaves a field at its default when creating, and as it is
    when updating. `apply` is the one place where input becomes a company's flags and DecisionPolicy, whichever
    edge it came from; the policy checks its values (InvalidInput naming the field)."""

    name: str | None = None
    auto_categorize: bool | None = None
    auto_prioritize: bool | None = None
    auto_assign: bool | None = None
    category_mode: DecisionMode | None = None
    team_mode: DecisionMode | None = None
    target_precision: float | None = None
    trust_uncalibrated: bool | None = None
    similar_tickets_enabled: bool | None = None

    def apply(self, company: Company) -> Company:
        flags = CompanyFlags(
            auto_categorize=_pick(self.auto_categorize, company.flags.auto_categorize),
            auto_prioritize=_pick(self.auto_prioritize, company.flags.auto_prioritize),
            auto_assign=_pick(self.auto_assign, company.flags.auto_assign),
            similar_tickets=_pick(self.similar_tickets_enabled, company.flags.similar_tickets),
        )
        name = require_name(self.name, "name") if self.name is not None else company.name
        old = company.policy
        policy = DecisionPolicy(
            category_mode=_pick(self.category_mode, old.category_mode),
            team_mode=_pick(self.team_mode, old.team_mode),
            target_precision=_pick(self.target_precision, old.target_precision),
            trust_uncalibrated=_pick(self.trust_uncalibrated, old.trust_uncalibrated),
        )
        return replace(company, name=name, flags=flags, policy=policy)


def _pick(new: T | None, old: T) -> T:
    return old if new is None else new


class CreateCompany:
    """Creates a company from `CompanyChanges` (its name required); what they leave out takes the defaults of
    `Company` (every part of the analysis on, the default DecisionPolicy)."""

    def __init__(self, uow_factory: Callable[[], CompanyUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, settings: CompanyChanges) -> Company:
        if settings.name is None:
            raise InvalidInput("name", "is required")
        company = settings.apply(Company(id=None, name=settings.name))
        async with self._uow_factory() as uow:
            stored = await uow.companies.add(company)
            await uow.commit()
        return stored


class GetCompany:
    def __init__(self, uow_factory: Callable[[], CompanyUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, company_id: int) -> Company:
        async with self._uow_factory() as uow:
            company = await uow.companies.get(company_id)
        if company is None:
            raise CompanyNotFound(company_id)
        return company


class ListCompanies:
    def __init__(self, uow_factory: Callable[[], CompanyUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self) -> Sequence[Company]:
        async with self._uow_factory() as uow:
            return await uow.companies.list()


class UpdateCompany:
    def __init__(self, uow_factory: Callable[[], CompanyUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, company_id: int, changes: CompanyChanges) -> Company:
        async with self._uow_factory() as uow:
            company = await uow.companies.get(company_id)
            if company is None:
                raise CompanyNotFound(company_id)
            updated = changes.apply(company)
            await uow.companies.update(updated)
            await uow.commit()
        return updated


class DeleteCompany:
    def __init__(self, uow_factory: Callable[[], CompanyUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, company_id: int) -> None:
        async with self._uow_factory() as uow:
            if await uow.companies.get(company_id) is None:
                raise CompanyNotFound(company_id)
            await uow.companies.delete(company_id)
            await uow.commit()

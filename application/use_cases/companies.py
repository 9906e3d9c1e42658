"""Use cases that manage customer companies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from application.ports.company_repository import CompanyRepository
from application.ports.unit_of_work import Transaction
from domain.companies import Company, CompanyFlags, require_name
from domain.decision_policy import DecisionMode, DecisionPolicy, parse_mode
from domain.errors import CompanyNotFound


class CompanyUnitOfWork(Transaction, Protocol):
    """What the company use cases touch."""

    companies: CompanyRepository


@dataclass(frozen=True, slots=True)
class CompanyChanges:
    """Fields to change; None leaves a field as it is. The decision policy's values are checked by
    DecisionPolicy (InvalidInput naming the field); a mode may be given as its string value."""

    name: str | None = None
    auto_categorize: bool | None = None
    auto_prioritize: bool | None = None
    auto_assign: bool | None = None
    category_mode: object = None
    team_mode: object = None
    target_precision: float | None = None
    trust_uncalibrated: bool | None = None

    def apply(self, company: Company) -> Company:
        flags = CompanyFlags(
            auto_categorize=_pick(self.auto_categorize, company.flags.auto_categorize),
            auto_prioritize=_pick(self.auto_prioritize, company.flags.auto_prioritize),
            auto_assign=_pick(self.auto_assign, company.flags.auto_assign),
        )
        name = require_name(self.name, "name") if self.name is not None else company.name
        old = company.policy
        policy = DecisionPolicy(
            category_mode=_mode("category_mode", self.category_mode, old.category_mode),
            team_mode=_mode("team_mode", self.team_mode, old.team_mode),
            target_precision=old.target_precision if self.target_precision is None else self.target_precision,
            trust_uncalibrated=_pick(self.trust_uncalibrated, old.trust_uncalibrated),
        )
        return replace(company, name=name, flags=flags, policy=policy)


def _mode(field_name: str, new: object, old: DecisionMode) -> DecisionMode:
    return old if new is None else parse_mode(field_name, new)


def _pick(new: bool | None, old: bool) -> bool:
    return old if new is None else new


class CreateCompany:
    """Creates a company with its flags and decision policy (defaults: autofill both fields at the default target
    precision, uncalibrated models not trusted)."""

    def __init__(self, uow_factory: Callable[[], CompanyUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self, name: object, flags: CompanyFlags, policy: DecisionPolicy | None = None) -> Company:
        company = Company(id=None, name=require_name(name, "name"), flags=flags, policy=policy or DecisionPolicy())
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

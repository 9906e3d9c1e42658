"""/api/companies: customer companies, the flags that switch parts of the analysis off, and their decision policy."""

from __future__ import annotations

from typing import TypeVar

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UnsetType

from adapters.inbound.http.bounds import PathKey
from adapters.inbound.http.error_responses import GUARDED, WITH_BODY, WITH_ID, api_errors
from adapters.inbound.http.presenters import company_body
from adapters.inbound.http.request_bodies import CompanyCreate, CompanyPatch
from adapters.inbound.http.schemas import CompanyBody
from application.use_cases.companies import (
    CompanyChanges,
    CreateCompany,
    DeleteCompany,
    GetCompany,
    ListCompanies,
    UpdateCompany,
)
from domain.companies import CompanyFlags
from domain.decision_policy import DecisionPolicy, parse_mode

T = TypeVar("T")


class CompanyController(Controller):
    path = "/api/companies"
    tags = ["companies"]

    @get("/", responses=api_errors(GUARDED))
    async def list_companies(self, list_companies: NamedDependency[ListCompanies]) -> list[CompanyBody]:
        return [company_body(company) for company in await list_companies.execute()]

    @post("/", status_code=HTTP_201_CREATED, responses=api_errors(GUARDED, WITH_BODY))
    async def create_company(
        self, data: JSONBody[CompanyCreate], create_company: NamedDependency[CreateCompany]
    ) -> CompanyBody:
        """The decision policy's values are checked by the domain: a 400 names the field."""
        flags = CompanyFlags(data.auto_categorize, data.auto_prioritize, data.auto_assign)
        policy = DecisionPolicy(
            parse_mode("category_mode", data.category_mode),
            parse_mode("team_mode", data.team_mode),
            data.target_precision,
            data.trust_uncalibrated,
        )
        return company_body(await create_company.execute(data.name, flags, policy))

    @get("/{company_id:int}", responses=api_errors(GUARDED, WITH_ID))
    async def get_company(self, company_id: PathKey, get_company: NamedDependency[GetCompany]) -> CompanyBody:
        return company_body(await get_company.execute(company_id))

    @patch("/{company_id:int}", responses=api_errors(GUARDED, WITH_ID, WITH_BODY))
    async def update_company(
        self, company_id: PathKey, data: JSONBody[CompanyPatch], update_company: NamedDependency[UpdateCompany]
    ) -> CompanyBody:
        changes = CompanyChanges(
            name=_given(data.name),
            auto_categorize=_given(data.auto_categorize),
            auto_prioritize=_given(data.auto_prioritize),
            auto_assign=_given(data.auto_assign),
            category_mode=_given(data.category_mode),
            team_mode=_given(data.team_mode),
            target_precision=_given(data.target_precision),
            trust_uncalibrated=_given(data.trust_uncalibrated),
        )
        return company_body(await update_company.execute(company_id, changes))

    @delete("/{company_id:int}", status_code=HTTP_204_NO_CONTENT, responses=api_errors(GUARDED, WITH_ID))
    async def delete_company(self, company_id: PathKey, delete_company: NamedDependency[DeleteCompany]) -> None:
        await delete_company.execute(company_id)


def _given(value: T | UnsetType) -> T | None:
    """None (leave as it is) for a field the PATCH body did not give."""
    return None if isinstance(value, UnsetType) else value

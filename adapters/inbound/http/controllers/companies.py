"""/api/companies: customer companies, the flags that switch parts of the analysis off, and their decision policy."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from adapters.inbound.http.bounds import PathKey
from adapters.inbound.http.error_responses import GUARDED, WITH_BODY, WITH_ID, api_errors
from adapters.inbound.http.presenters import company_body
from adapters.inbound.http.request_bodies import CompanyCreate, CompanyPatch
from adapters.inbound.http.schemas import CompanyBody
from application.use_cases.companies import (
    CreateCompany,
    DeleteCompany,
    GetCompany,
    ListCompanies,
    UpdateCompany,
)


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
        return company_body(await create_company.execute(data.to_command()))

    @get("/{company_id:int}", responses=api_errors(GUARDED, WITH_ID))
    async def get_company(self, company_id: PathKey, get_company: NamedDependency[GetCompany]) -> CompanyBody:
        return company_body(await get_company.execute(company_id))

    @patch("/{company_id:int}", responses=api_errors(GUARDED, WITH_ID, WITH_BODY))
    async def update_company(
        self, company_id: PathKey, data: JSONBody[CompanyPatch], update_company: NamedDependency[UpdateCompany]
    ) -> CompanyBody:
        return company_body(await update_company.execute(company_id, data.to_command()))

    @delete("/{company_id:int}", status_code=HTTP_204_NO_CONTENT, responses=api_errors(GUARDED, WITH_ID))
    async def delete_company(self, company_id: PathKey, delete_company: NamedDependency[DeleteCompany]) -> None:
        await delete_company.execute(company_id)

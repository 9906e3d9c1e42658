from __future__ import annotations

from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar import Controller, Request, delete, get, patch, post
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from adapters.inbound.http.body import decode_body, given, require_bool, value_or_none
from adapters.inbound.http.presenters import company_body
from adapters.inbound.http.schemas import CompanyBody, CompanyCreate, CompanyPatch
from application.use_cases.companies import (
    CompanyChanges,
    CreateCompany,
    DeleteCompany,
    GetCompany,
    ListCompanies,
    UpdateCompany,
)
from domain.companies import CompanyFlags


class CompanyController(Controller):
    path = "/api/companies"
    tags = ["companies"]

    @get("/")
    async def list_companies(self, list_companies: NamedDependency[ListCompanies]) -> list[CompanyBody]:
        return [company_body(company) for company in await list_companies.execute()]

    @post("/", status_code=HTTP_201_CREATED)
    async def create_company(self, request: Request, create_company: NamedDependency[CreateCompany]) -> CompanyBody:
        body = decode_body(await request.body(), CompanyCreate)
        flags = CompanyFlags(
            auto_categorize=require_bool(body.auto_categorize, "auto_categorize"),
            auto_prioritize=require_bool(body.auto_prioritize, "auto_prioritize"),
            auto_assign=require_bool(body.auto_assign, "auto_assign"),
        )
        return company_body(await create_company.execute(value_or_none(body.name), flags))

    @get("/{company_id:int}")
    async def get_company(self, company_id: FromPath[int], get_company: NamedDependency[GetCompany]) -> CompanyBody:
        return company_body(await get_company.execute(company_id))

    @patch("/{company_id:int}")
    async def update_company(self, company_id: FromPath[int], request: Request, update_company: NamedDependency[UpdateCompany]) -> CompanyBody:
        body = decode_body(await request.body(), CompanyPatch)
        changes = CompanyChanges(
            name=body.name if given(body.name) else None,  # type: ignore[arg-type]
            auto_categorize=_flag(body.auto_categorize, "auto_categorize"),
            auto_prioritize=_flag(body.auto_prioritize, "auto_prioritize"),
            auto_assign=_flag(body.auto_assign, "auto_assign"),
        )
        return company_body(await update_company.execute(company_id, changes))

    @delete("/{company_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def delete_company(self, company_id: FromPath[int], delete_company: NamedDependency[DeleteCompany]) -> None:
        await delete_company.execute(company_id)


def _flag(value: object, field: str) -> bool | None:
    return require_bool(value, field) if given(value) else None

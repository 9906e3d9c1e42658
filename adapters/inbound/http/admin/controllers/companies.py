from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST

from adapters.inbound.http.admin.forms import FieldErrors, checkbox, text
from adapters.inbound.http.admin.rendering import page, redirect
from adapters.inbound.http.bounds import PathKey
from application.use_cases.companies import (
    CompanyChanges,
    CreateCompany,
    DeleteCompany,
    GetCompany,
    ListCompanies,
    UpdateCompany,
)
from application.use_cases.teams import ListTeams
from domain.companies import CompanyFlags
from domain.errors import InvalidInput

FLAG_NAMES = ("auto_categorize", "auto_prioritize", "auto_assign")


class CompanyPagesController(Controller):
    path = "/companies"

    @get("/")
    async def companies(self, request: Request[Any, Any, Any], list_companies: NamedDependency[ListCompanies]) -> Template:
        return page(request, "companies.html", companies=await list_companies.execute())

    @get("/new")
    async def new_company(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "company_form.html", company=None, values={"name": "", **dict.fromkeys(FLAG_NAMES, True)},
                    errors=FieldErrors())

    @post("/new")
    async def create_company(self, request: Request[Any, Any, Any], create_company: NamedDependency[CreateCompany]) -> Template | Redirect:
        form = await request.form()
        values = _company_values(form)
        try:
            company = await create_company.execute(values["name"], CompanyFlags(*(values[flag] for flag in FLAG_NAMES)))
        except InvalidInput as error:
            errors = FieldErrors()
            errors.add(error)
            return page(request, "company_form.html", HTTP_400_BAD_REQUEST, company=None, values=values, errors=errors)
        return redirect(request, f"/admin/companies/{company.id}", ("success", f"Created company “{company.name}”."))

    @get("/{company_id:int}")
    async def company(
        self,
        request: Request[Any, Any, Any],
        company_id: PathKey,
        get_company: NamedDependency[GetCompany],
        list_teams: NamedDependency[ListTeams],
    ) -> Template:
        company = await get_company.execute(company_id)
        values = {"name": company.name, **{flag: getattr(company.flags, flag) for flag in FLAG_NAMES}}
        return page(request, "company_form.html", company=company, values=values, errors=FieldErrors(),
                    teams=await list_teams.execute(company_id))

    @post("/{company_id:int}")
    async def update_company(
        self,
        request: Request[Any, Any, Any],
        company_id: PathKey,
        update_company: NamedDependency[UpdateCompany],
        get_company: NamedDependency[GetCompany],
        list_teams: NamedDependency[ListTeams],
    ) -> Template | Redirect:
        form = await request.form()
        values = _company_values(form)
        changes = CompanyChanges(name=values["name"], **{flag: values[flag] for flag in FLAG_NAMES})
        try:
            company = await update_company.execute(company_id, changes)
        except InvalidInput as error:
            errors = FieldErrors()
            errors.add(error)
            return page(request, "company_form.html", HTTP_400_BAD_REQUEST, company=await get_company.execute(company_id),
                        values=values, errors=errors, teams=await list_teams.execute(company_id))
        return redirect(request, f"/admin/companies/{company.id}", ("success", f"Saved company “{company.name}”."))

    @get("/{company_id:int}/delete")
    async def confirm_delete(self, request: Request[Any, Any, Any], company_id: PathKey,
                             get_company: NamedDependency[GetCompany], list_teams: NamedDependency[ListTeams]) -> Template:
        company = await get_company.execute(company_id)
        return page(request, "confirm_delete.html", what=f"the company “{company.name}”",
                    consequence=f"Its {len(await list_teams.execute(company_id))} team(s) are deleted with it; "
                    "its analyses stay in the history.",
                    cancel_url=f"/admin/companies/{company_id}")

    @post("/{company_id:int}/delete")
    async def delete_company(self, request: Request[Any, Any, Any], company_id: PathKey,
                             get_company: NamedDependency[GetCompany], delete_company: NamedDependency[DeleteCompany]) -> Redirect:
        company = await get_company.execute(company_id)
        await delete_company.execute(company_id)
        return redirect(request, "/admin/companies", ("success", f"Deleted company “{company.name}” and its teams."))


def _company_values(form: Any) -> dict[str, Any]:
    return {"name": text(form, "name"), **{flag: checkbox(form, flag) for flag in FLAG_NAMES}}

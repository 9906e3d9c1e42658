from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST

from adapters.inbound.http.admin.forms import FieldErrors, checkbox, optional_choice, optional_number, text
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
from domain.companies import Company, require_name
from domain.decision_policy import DecisionMode, checked_target_precision
from domain.errors import InvalidInput

FLAGS = {
    "auto_categorize": "auto_categorize",
    "auto_prioritize": "auto_prioritize",
    "auto_assign": "auto_assign",
    "similar_tickets_enabled": "similar_tickets",
}
"""Each flag's form field, named as `CompanyChanges` (and the API) name it, and its `CompanyFlags` attribute."""
MODE_NAMES = ("category_mode", "team_mode")
MODES = [(mode.value, mode.value) for mode in DecisionMode]
MODE_CHOICES = {mode.value: mode for mode in DecisionMode}
NEW_COMPANY = Company(id=None, name="")
"""What the form for a new company starts from: the domain's defaults."""


class CompanyPagesController(Controller):
    path = "/companies"

    @get("/")
    async def companies(
        self, request: Request[Any, Any, Any], list_companies: NamedDependency[ListCompanies]
    ) -> Template:
        return page(request, "companies.html", companies=await list_companies.execute())

    @get("/new")
    async def new_company(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            request,
            "company_form.html",
            company=None,
            values=_stored_values(NEW_COMPANY),
            errors=FieldErrors(),
            modes=MODES,
        )

    @post("/new")
    async def create_company(
        self, request: Request[Any, Any, Any], create_company: NamedDependency[CreateCompany]
    ) -> Template | Redirect:
        values = _company_values(await request.form())
        errors, settings = _company_changes(values)
        if not errors:
            try:
                company = await create_company.execute(settings)
            except InvalidInput as error:
                errors.add(error)
        if errors:
            return page(
                request,
                "company_form.html",
                HTTP_400_BAD_REQUEST,
                company=None,
                values=values,
                errors=errors,
                modes=MODES,
            )
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
        return page(
            request,
            "company_form.html",
            company=company,
            values=_stored_values(company),
            errors=FieldErrors(),
            teams=await list_teams.execute(company_id),
            modes=MODES,
        )

    @post("/{company_id:int}")
    async def update_company(
        self,
        request: Request[Any, Any, Any],
        company_id: PathKey,
        update_company: NamedDependency[UpdateCompany],
        get_company: NamedDependency[GetCompany],
        list_teams: NamedDependency[ListTeams],
    ) -> Template | Redirect:
        values = _company_values(await request.form())
        errors, changes = _company_changes(values)
        if not errors:
            try:
                company = await update_company.execute(company_id, changes)
            except InvalidInput as error:
                errors.add(error)
        if errors:
            company = await get_company.execute(company_id)
            return page(
                request,
                "company_form.html",
                HTTP_400_BAD_REQUEST,
                company=company,
                values=values,
                errors=errors,
                teams=await list_teams.execute(company_id),
                modes=MODES,
            )
        return redirect(request, f"/admin/companies/{company.id}", ("success", f"Saved company “{company.name}”."))

    @get("/{company_id:int}/delete")
    async def confirm_delete(
        self,
        request: Request[Any, Any, Any],
        company_id: PathKey,
        get_company: NamedDependency[GetCompany],
        list_teams: NamedDependency[ListTeams],
    ) -> Template:
        company = await get_company.execute(company_id)
        return page(
            request,
            "confirm_delete.html",
            what=f"the company “{company.name}”",
            consequence=f"Its {len(await list_teams.execute(company_id))} team(s) are deleted with it; "
            "its analyses stay in the history.",
            cancel_url=f"/admin/companies/{company_id}",
        )

    @post("/{company_id:int}/delete")
    async def delete_company(
        self,
        request: Request[Any, Any, Any],
        company_id: PathKey,
        get_company: NamedDependency[GetCompany],
        delete_company: NamedDependency[DeleteCompany],
    ) -> Redirect:
        company = await get_company.execute(company_id)
        await delete_company.execute(company_id)
        return redirect(request, "/admin/companies", ("success", f"Deleted company “{company.name}” and its teams."))


def _company_values(form: Any) -> dict[str, Any]:
    """The form as submitted (strings and ticks), shown again as it was when it is refused."""
    return {
        "name": text(form, "name"),
        **{flag: checkbox(form, flag) for flag in FLAGS},
        **{mode: text(form, mode) for mode in MODE_NAMES},
        "target_precision": text(form, "target_precision"),
        "trust_uncalibrated": checkbox(form, "trust_uncalibrated"),
    }


def _stored_values(company: Company) -> dict[str, Any]:
    policy = company.policy
    return {
        "name": company.name,
        **{flag: getattr(company.flags, attribute) for flag, attribute in FLAGS.items()},
        "category_mode": policy.category_mode.value,
        "team_mode": policy.team_mode.value,
        "target_precision": f"{policy.target_precision:g}",
        "trust_uncalibrated": policy.trust_uncalibrated,
    }


def _company_changes(values: dict[str, Any]) -> tuple[FieldErrors, CompanyChanges]:
    """The form as the use cases take it, and its problems: every field is checked, so the form marks all of them
    at once. An empty mode or target precision is None: the default for a new company, as it was for one being
    edited."""
    errors = FieldErrors()
    modes: dict[str, DecisionMode | None] = {}
    target = None
    try:
        require_name(values["name"], "name")
    except InvalidInput as error:
        errors.add(error)
    for name in MODE_NAMES:
        try:
            modes[name] = optional_choice(values, name, MODE_CHOICES)
        except InvalidInput as error:
            errors.add(error)
    try:
        target = optional_number(values, "target_precision")
        if target is not None:
            checked_target_precision(target)
    except InvalidInput as error:
        errors.add(error)
    changes = CompanyChanges(
        name=values["name"],
        **{flag: values[flag] for flag in FLAGS},
        category_mode=modes.get("category_mode"),
        team_mode=modes.get("team_mode"),
        target_precision=target,
        trust_uncalibrated=values["trust_uncalibrated"],
    )
    return errors, changes

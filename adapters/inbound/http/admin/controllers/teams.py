from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_400_BAD_REQUEST

from adapters.inbound.http.admin.forms import FieldErrors, text
from adapters.inbound.http.admin.rendering import page, redirect
from adapters.inbound.http.bounds import PathKey
from application.use_cases.companies import GetCompany
from application.use_cases.team_derivations import ReadTeamDerivations
from application.use_cases.teams import CreateTeam, DeleteTeam, GetTeam, TeamChanges, TeamDraft, UpdateTeam
from domain.errors import InvalidInput

TEAM_FIELDS = ("name", "category", "description")


class TeamPagesController(Controller):
    path = "/"

    @get("/companies/{company_id:int}/teams/new")
    async def new_team(
        self, request: Request[Any, Any, Any], company_id: PathKey, get_company: NamedDependency[GetCompany]
    ) -> Template:
        company = await get_company.execute(company_id)
        return page(
            request,
            "team_form.html",
            company=company,
            team=None,
            values=dict.fromkeys(TEAM_FIELDS, ""),
            errors=FieldErrors(),
        )

    @post("/companies/{company_id:int}/teams/new")
    async def create_team(
        self,
        request: Request[Any, Any, Any],
        company_id: PathKey,
        get_company: NamedDependency[GetCompany],
        create_team: NamedDependency[CreateTeam],
    ) -> Template | Redirect:
        company = await get_company.execute(company_id)
        values = _team_values(await request.form())
        try:
            team = await create_team.execute(
                company_id, TeamDraft(values["name"], values["category"] or None, values["description"])
            )
        except InvalidInput as error:
            errors = FieldErrors()
            errors.add(error)
            return page(
                request,
                "team_form.html",
                HTTP_400_BAD_REQUEST,
                company=company,
                team=None,
                values=values,
                errors=errors,
            )
        return redirect(request, f"/admin/companies/{company_id}", ("success", f"Created team “{team.name}”."))

    @get("/teams/{team_id:int}")
    async def team(
        self,
        request: Request[Any, Any, Any],
        team_id: PathKey,
        get_team: NamedDependency[GetTeam],
        get_company: NamedDependency[GetCompany],
        read_team_derivations: NamedDependency[ReadTeamDerivations],
    ) -> Template:
        team = await get_team.execute(team_id)
        values = {"name": team.name, "category": team.category or "", "description": team.description}
        return page(
            request,
            "team_form.html",
            company=await get_company.execute(team.company_id),
            team=team,
            values=values,
            errors=FieldErrors(),
            derivation=await read_team_derivations.for_team(team_id),
        )

    @post("/teams/{team_id:int}/category")
    async def confirm_category(
        self,
        request: Request[Any, Any, Any],
        team_id: PathKey,
        get_team: NamedDependency[GetTeam],
        update_team: NamedDependency[UpdateTeam],
    ) -> Redirect:
        """One click: the derived category (or the label the admin chose instead) becomes the team's category."""
        team = await get_team.execute(team_id)
        category = text(await request.form(), "category")
        if not category:
            raise InvalidInput("category", "choose the category the team takes")
        updated = await update_team.execute(team_id, TeamChanges(category=category))
        return redirect(
            request,
            f"/admin/teams/{team.id}",
            ("success", f"“{updated.category}” is now the category of “{team.name}”."),
        )

    @post("/teams/{team_id:int}")
    async def update_team(
        self,
        request: Request[Any, Any, Any],
        team_id: PathKey,
        get_team: NamedDependency[GetTeam],
        get_company: NamedDependency[GetCompany],
        update_team: NamedDependency[UpdateTeam],
    ) -> Template | Redirect:
        team = await get_team.execute(team_id)
        values = _team_values(await request.form())
        try:
            # The use case recomputes the routing embedding whenever the name, category or description changed.
            changes = TeamChanges(values["name"], values["category"] or None, values["description"])
            updated = await update_team.execute(team_id, changes)
        except InvalidInput as error:
            errors = FieldErrors()
            errors.add(error)
            return page(
                request,
                "team_form.html",
                HTTP_400_BAD_REQUEST,
                company=await get_company.execute(team.company_id),
                team=team,
                values=values,
                errors=errors,
            )
        return redirect(request, f"/admin/companies/{team.company_id}", ("success", f"Saved team “{updated.name}”."))

    @get("/teams/{team_id:int}/delete")
    async def confirm_delete(
        self, request: Request[Any, Any, Any], team_id: PathKey, get_team: NamedDependency[GetTeam]
    ) -> Template:
        team = await get_team.execute(team_id)
        return page(
            request,
            "confirm_delete.html",
            what=f"the team “{team.name}”",
            consequence="Tickets are no longer routed to it; past analyses keep its id.",
            cancel_url=f"/admin/companies/{team.company_id}",
        )

    @post("/teams/{team_id:int}/delete")
    async def delete_team(
        self,
        request: Request[Any, Any, Any],
        team_id: PathKey,
        get_team: NamedDependency[GetTeam],
        delete_team: NamedDependency[DeleteTeam],
    ) -> Redirect:
        team = await get_team.execute(team_id)
        await delete_team.execute(team_id)
        return redirect(request, f"/admin/companies/{team.company_id}", ("success", f"Deleted team “{team.name}”."))


def _team_values(form: Any) -> dict[str, str]:
    # The description keeps its line breaks; only the ends are trimmed (by the domain too).
    return {name: text(form, name) for name in TEAM_FIELDS}

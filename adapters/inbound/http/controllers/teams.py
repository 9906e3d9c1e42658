from __future__ import annotations

from typing import Any

from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar import Controller, Request, delete, get, patch, post
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from adapters.inbound.http.body import decode_body, given, value_or_none
from adapters.inbound.http.presenters import team_body
from adapters.inbound.http.schemas import TeamBody, TeamCreate, TeamPatch
from application.use_cases.teams import CreateTeam, DeleteTeam, GetTeam, ListTeams, TeamDraft, UpdateTeam


class TeamController(Controller):
    path = "/api"
    tags = ["teams"]

    @get("/companies/{company_id:int}/teams")
    async def list_teams(self, company_id: FromPath[int], list_teams: NamedDependency[ListTeams]) -> list[TeamBody]:
        return [team_body(team) for team in await list_teams.execute(company_id)]

    @post("/companies/{company_id:int}/teams", status_code=HTTP_201_CREATED)
    async def create_team(self, company_id: FromPath[int], request: Request, create_team: NamedDependency[CreateTeam]) -> TeamBody:
        body = decode_body(await request.body(), TeamCreate)
        draft = TeamDraft(name=value_or_none(body.name), category=body.category, description=body.description)
        return team_body(await create_team.execute(company_id, draft))

    @get("/teams/{team_id:int}")
    async def get_team(self, team_id: FromPath[int], get_team: NamedDependency[GetTeam]) -> TeamBody:
        return team_body(await get_team.execute(team_id))

    @patch("/teams/{team_id:int}")
    async def update_team(self, team_id: FromPath[int], request: Request, update_team: NamedDependency[UpdateTeam]) -> TeamBody:
        body = decode_body(await request.body(), TeamPatch)
        changes: dict[str, Any] = {
            name: getattr(body, name) for name in ("name", "category", "description") if given(getattr(body, name))
        }
        return team_body(await update_team.execute(team_id, **changes))

    @delete("/teams/{team_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def delete_team(self, team_id: FromPath[int], delete_team: NamedDependency[DeleteTeam]) -> None:
        await delete_team.execute(team_id)

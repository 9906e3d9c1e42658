"""/api/companies/{id}/teams and /api/teams/{id}: a company's teams, which tickets are routed to."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from adapters.inbound.http.bounds import PathKey
from adapters.inbound.http.error_responses import GUARDED, WITH_BODY, WITH_ID, api_errors
from adapters.inbound.http.presenters import team_body
from adapters.inbound.http.request_bodies import TeamCreate, TeamPatch
from adapters.inbound.http.schemas import TeamBody
from application.use_cases.teams import CreateTeam, DeleteTeam, GetTeam, ListTeams, UpdateTeam


class TeamController(Controller):
    path = "/api"
    tags = ["teams"]

    @get("/companies/{company_id:int}/teams", responses=api_errors(GUARDED, WITH_ID))
    async def list_teams(self, company_id: PathKey, list_teams: NamedDependency[ListTeams]) -> list[TeamBody]:
        return [team_body(team) for team in await list_teams.execute(company_id)]

    @post(
        "/companies/{company_id:int}/teams",
        status_code=HTTP_201_CREATED,
        responses=api_errors(GUARDED, WITH_ID, WITH_BODY),
    )
    async def create_team(
        self, company_id: PathKey, data: JSONBody[TeamCreate], create_team: NamedDependency[CreateTeam]
    ) -> TeamBody:
        return team_body(await create_team.execute(company_id, data.to_command()))

    @get("/teams/{team_id:int}", responses=api_errors(GUARDED, WITH_ID))
    async def get_team(self, team_id: PathKey, get_team: NamedDependency[GetTeam]) -> TeamBody:
        return team_body(await get_team.execute(team_id))

    @patch("/teams/{team_id:int}", responses=api_errors(GUARDED, WITH_ID, WITH_BODY))
    async def update_team(
        self, team_id: PathKey, data: JSONBody[TeamPatch], update_team: NamedDependency[UpdateTeam]
    ) -> TeamBody:
        return team_body(await update_team.execute(team_id, data.to_command()))

    @delete("/teams/{team_id:int}", status_code=HTTP_204_NO_CONTENT, responses=api_errors(GUARDED, WITH_ID))
    async def delete_team(self, team_id: PathKey, delete_team: NamedDependency[DeleteTeam]) -> None:
        await delete_team.execute(team_id)

"""Litestar controllers; each takes its typed body as `data`, calls one use case and presents the result."""
from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from adapters.inbound.http.error_responses import GUARDED, WITH_BODY, api_errors
from adapters.inbound.http.presenters import analysis_response
from adapters.inbound.http.request_bodies import AnalyzeRequest
from adapters.inbound.http.schemas import AnalyzeResponse
from adapters.inbound.http.security.api_guard import ACCESS_OPT
from application.use_cases.analyze_ticket import AnalyzeTicket
from domain.access import AccessLevel


class AnalyzeController(Controller):
    path = "/api/analyze"
    tags = ["analysis"]

    @post("/", status_code=HTTP_200_OK, summary="Categorise, prioritise and route one ticket",
          opt={ACCESS_OPT: AccessLevel.SERVICE}, responses=api_errors(GUARDED, WITH_BODY, (404,)))
    async def analyze(
        self, data: JSONBody[AnalyzeRequest], analyze_ticket: NamedDependency[AnalyzeTicket]
    ) -> AnalyzeResponse:
        """A `company_id` naming no company is the seed's 404 `{"error": "Company not found."}`."""
        return analysis_response(await analyze_ticket.execute(data.description, data.company_id))

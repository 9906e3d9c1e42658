from __future__ import annotations

from litestar.di import NamedDependency
from litestar import Controller, Request, post
from litestar.status_codes import HTTP_200_OK

from adapters.inbound.http.body import decode_body, value_or_none
from adapters.inbound.http.presenters import analysis_response
from adapters.inbound.http.schemas import AnalyzeRequest, AnalyzeResponse
from adapters.inbound.http.security.api_guard import ACCESS_OPT
from application.use_cases.analyze_ticket import AnalyzeTicket
from domain.access import AccessLevel


class AnalyzeController(Controller):
    path = "/api/analyze"
    tags = ["analysis"]

    @post("/", status_code=HTTP_200_OK, summary="Categorise, prioritise and route one ticket",
          opt={ACCESS_OPT: AccessLevel.SERVICE})
    async def analyze(self, request: Request, analyze_ticket: NamedDependency[AnalyzeTicket]) -> AnalyzeResponse:
        body = decode_body(await request.body(), AnalyzeRequest)
        analysis = await analyze_ticket.execute(value_or_none(body.description), value_or_none(body.company_id))
        return analysis_response(analysis)

"""Litestar controllers; each takes its typed body as `data`, calls one use case and presents the result."""

from __future__ import annotations

import msgspec
from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from adapters.inbound.http.error_responses import GUARDED, WITH_BODY, api_errors
from adapters.inbound.http.presenters import analysis_response
from adapters.inbound.http.request_bodies import AnalyzeBatchRequest, AnalyzeRequest
from adapters.inbound.http.schemas import AnalyzeBatchResponse, AnalyzeResponse, BatchAnalysis, BatchItemError
from adapters.inbound.http.security.api_guard import ACCESS_OPT
from application.use_cases.analyze_ticket import AnalyzeTicket
from domain.access import AccessLevel
from domain.errors import InvalidInput


class AnalyzeController(Controller):
    path = "/api/analyze"
    tags = ["analysis"]

    @post(
        "/",
        status_code=HTTP_200_OK,
        summary="Categorise, prioritise and route one ticket",
        opt={ACCESS_OPT: AccessLevel.SERVICE},
        responses=api_errors(GUARDED, WITH_BODY, (404,)),
    )
    async def analyze(
        self, data: JSONBody[AnalyzeRequest], analyze_ticket: NamedDependency[AnalyzeTicket]
    ) -> AnalyzeResponse:
        """A `company_id` naming no company is the seed's 404 `{"error": "Company not found."}`."""
        return analysis_response(await analyze_ticket.execute(data.description, data.company_id))

    @post(
        "/batch",
        status_code=HTTP_200_OK,
        summary="Analyse several tickets of one company in one call",
        opt={ACCESS_OPT: AccessLevel.SERVICE},
        responses=api_errors(GUARDED, WITH_BODY, (404,)),
    )
    async def analyze_batch(
        self, data: JSONBody[AnalyzeBatchRequest], analyze_ticket: NamedDependency[AnalyzeTicket]
    ) -> AnalyzeBatchResponse:
        """Each ticket is answered and recorded as /api/analyze would, in order; a ticket that breaks a rule gets
        its own `{"error", "field"}` entry (`tickets[i].description`) while the others are answered. An unknown
        company is the 404 of /api/analyze; more tickets than `ANALYZE_BATCH_MAX`, or none, is a 400 naming
        `tickets`."""
        answers = await analyze_ticket.execute_many([t.description for t in data.tickets], data.company_id)
        return AnalyzeBatchResponse(
            [
                BatchItemError(str(answer), f"tickets[{index}].{answer.field}")
                if isinstance(answer, InvalidInput)
                else BatchAnalysis(**msgspec.structs.asdict(analysis_response(answer)))
                for index, answer in enumerate(answers)
            ]
        )

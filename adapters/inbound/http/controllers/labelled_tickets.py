from __future__ import annotations

from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED

from adapters.inbound.http.body import decode_body, decode_json, given
from adapters.inbound.http.presenters import labelled_ticket_body
from adapters.inbound.http.schemas import FeedbackBody, FeedbackIn, LabelledTicketBody, LabelledTicketPage
from adapters.inbound.http.security.api_guard import ACCESS_OPT
from application.use_cases.labelled_tickets import ListLabelledTickets, RecordLabelledTickets, SubmitFeedback
from domain.access import AccessLevel
from domain.errors import InvalidInput


class LabelledTicketController(Controller):
    path = "/api"
    tags = ["labelled tickets"]

    @post("/tickets", status_code=HTTP_201_CREATED, summary="Store one labelled ticket or a batch")
    async def add_tickets(self, request: Request, record_labelled_tickets: NamedDependency[RecordLabelledTickets]) -> list[LabelledTicketBody]:
        """Body: one ticket `{"text", "category", "priority"?, "team_id"?}` or `{"tickets": [...]}`."""
        payload = decode_json(await request.body())
        if isinstance(payload, dict) and "tickets" in payload:
            items = payload["tickets"]
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise InvalidInput("tickets", "must be a list of ticket objects")
        elif isinstance(payload, dict):
            items = [payload]
        else:
            raise InvalidInput("body", "must be a ticket object or {\"tickets\": [...]}")
        return [labelled_ticket_body(ticket) for ticket in await record_labelled_tickets.execute(items)]

    @get("/tickets")
    async def list_tickets(
        self,
        list_labelled_tickets: NamedDependency[ListLabelledTickets],
        offset: int = Parameter(default=0, ge=0),
        limit: int = Parameter(default=50, ge=1, le=500),
    ) -> LabelledTicketPage:
        total, items = await list_labelled_tickets.execute(offset, limit)
        return LabelledTicketPage(total, offset, limit, [labelled_ticket_body(t) for t in items])

    # The ticketing platform sends its agents' feedback with the same service key it analyses with.
    @post("/analyses/{analysis_id:int}/feedback", status_code=HTTP_201_CREATED, summary="Confirm or correct an analysis",
          opt={ACCESS_OPT: AccessLevel.SERVICE})
    async def feedback(self, analysis_id: FromPath[int], request: Request, submit_feedback: NamedDependency[SubmitFeedback]) -> FeedbackBody:
        raw = await request.body()
        body = decode_body(raw, FeedbackIn) if raw.strip() else FeedbackIn()
        result = await submit_feedback.execute(
            analysis_id,
            category=body.category if given(body.category) else None,
            priority=body.priority if given(body.priority) else None,
            team_id=body.team_id if given(body.team_id) else None,
        )
        assert result.labelled_ticket.id is not None
        return FeedbackBody(analysis_id, result.labelled_ticket.id, result.labelled_ticket.category, result.corrected)

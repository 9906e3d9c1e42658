"""/api/tickets and /api/analyses/{id}/feedback: labelled tickets in (the training data), and a page of them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import Body
from litestar.status_codes import HTTP_201_CREATED

from adapters.inbound.http.bounds import MAX_OFFSET, MAX_PAGE, PathKey, bounded_query
from adapters.inbound.http.error_responses import GUARDED, WITH_BODY, WITH_ID, api_errors
from adapters.inbound.http.openapi_fixes import operation_with_body
from adapters.inbound.http.presenters import labelled_ticket_body
from adapters.inbound.http.request_bodies import ONE_TICKET_OR_A_BATCH, FeedbackIn, LabelledTicketsIn
from adapters.inbound.http.schemas import FeedbackBody, LabelledTicketBody, LabelledTicketPage
from adapters.inbound.http.security.api_guard import ACCESS_OPT, calling_actor
from application.use_cases.labelled_tickets import ListLabelledTickets, RecordLabelledTickets, SubmitFeedback
from domain.access import AccessLevel

TicketsBody = Annotated[
    LabelledTicketsIn,
    Body(description='One ticket `{"text", "category", "priority"?, "team_id"?}` or a batch `{"tickets": [...]}`.'),
]
FeedbackBodyIn = Annotated[
    FeedbackIn, Body(description='No body or `{}` confirms the analysis; `{"category": "..."}` corrects it.')
]
CONFIRM = FeedbackIn()
"""What an empty feedback body means (Litestar passes no `data` for an empty body, so the default applies)."""


class LabelledTicketController(Controller):
    path = "/api"
    tags = ["labelled tickets"]

    @post(
        "/tickets",
        status_code=HTTP_201_CREATED,
        summary="Store one labelled ticket or a batch",
        responses=api_errors(GUARDED, WITH_BODY),
        operation_class=operation_with_body(any_of=ONE_TICKET_OR_A_BATCH),
    )
    async def add_tickets(
        self, data: TicketsBody, record_labelled_tickets: NamedDependency[RecordLabelledTickets]
    ) -> list[LabelledTicketBody]:
        """A batch is stored all or nothing; an error names its field as `tickets[i].field`."""
        return [labelled_ticket_body(ticket) for ticket in await record_labelled_tickets.execute(data.to_command())]

    @get("/tickets", responses=api_errors(GUARDED, (400,)))
    async def list_tickets(
        self,
        list_labelled_tickets: NamedDependency[ListLabelledTickets],
        offset: Annotated[int, bounded_query(0, MAX_OFFSET, "Tickets to skip, newest first.")] = 0,
        limit: Annotated[int, bounded_query(1, MAX_PAGE, "How many to return.")] = 50,
    ) -> LabelledTicketPage:
        total, items = await list_labelled_tickets.execute(offset, limit)
        return LabelledTicketPage(total, offset, limit, [labelled_ticket_body(t) for t in items])

    # The ticketing platform sends its agents' feedback with the same service key it analyses with.
    @post(
        "/analyses/{analysis_id:int}/feedback",
        status_code=HTTP_201_CREATED,
        summary="Confirm or correct an analysis",
        opt={ACCESS_OPT: AccessLevel.SERVICE},
        operation_class=operation_with_body(required=False),
        responses=api_errors(GUARDED, WITH_ID, WITH_BODY),
    )
    async def feedback(
        self,
        request: Request[Any, Any, Any],
        analysis_id: PathKey,
        submit_feedback: NamedDependency[SubmitFeedback],
        data: FeedbackBodyIn = CONFIRM,
    ) -> FeedbackBody:
        """Repeated feedback replaces the earlier one. A category neither the active model, the company's teams
        nor the active training data know is a 400 naming `category` unless the caller is an admin."""
        actor = await calling_actor(request)
        result = await submit_feedback.execute(analysis_id, data.to_command(), actor)
        assert result.labelled_ticket.id is not None
        return FeedbackBody(analysis_id, result.labelled_ticket.id, result.labelled_ticket.category, result.corrected)

"""/api/analyses/{id}/similar: more of the earlier tickets an analysis resembles."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency

from adapters.inbound.http.bounds import PathKey, bounded_query
from adapters.inbound.http.error_responses import GUARDED, WITH_ID, api_errors
from adapters.inbound.http.presenters import similar_ticket_body
from adapters.inbound.http.schemas import SimilarTicketsBody
from adapters.inbound.http.security.api_guard import ACCESS_OPT
from application.services.similar_tickets import MAX_K
from application.use_cases.similar_tickets import FindSimilarTickets
from domain.access import AccessLevel


class SimilarTicketsController(Controller):
    path = "/api/analyses"
    tags = ["analysis"]  # noqa: RUF012 - Litestar reads the class attribute, as in every controller

    @get(
        "/{analysis_id:int}/similar",
        summary="Earlier tickets of the same company most similar to an analysis",
        opt={ACCESS_OPT: AccessLevel.SERVICE},
        responses=api_errors(GUARDED, WITH_ID, (400,)),
    )
    async def similar(
        self,
        analysis_id: PathKey,
        find_similar_tickets: NamedDependency[FindSimilarTickets],
        k: Annotated[int, bounded_query(1, MAX_K, "How many to return at most.")] = 10,
    ) -> SimilarTicketsBody:
        """Most similar first, at least SIMILAR_TICKETS_MIN_SIMILARITY close, never another company's; empty when
        the company turned similar tickets off."""
        found = await find_similar_tickets.execute(analysis_id, k)
        return SimilarTicketsBody([similar_ticket_body(ticket) for ticket in found])

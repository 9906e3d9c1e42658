"""/api/review-queue: the analyses a person still has to confirm or correct (admin only)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from adapters.inbound.http.bounds import MAX_KEY, MAX_OFFSET, MAX_PAGE, bounded_query
from adapters.inbound.http.error_responses import GUARDED, api_errors
from adapters.inbound.http.presenters import review_page_body
from adapters.inbound.http.schemas import ReviewPageBody
from application.use_cases.review_queue import ListReviewQueue
from domain.labelled_tickets import MAX_LABEL_LENGTH


class ReviewQueueController(Controller):
    path = "/api/review-queue"
    tags = ["review"]  # noqa: RUF012 - Litestar reads the class attribute, as in every controller

    @get("/", summary="Analyses waiting for a person, oldest first", responses=api_errors(GUARDED, (400,)))
    async def review_queue(
        self,
        list_review_queue: NamedDependency[ListReviewQueue],
        company_id: Annotated[int | None, bounded_query(1, MAX_KEY, "Only this company's analyses.")] = None,
        label: Annotated[
            str | None,
            QueryParameter(max_length=MAX_LABEL_LENGTH, description="Only analyses predicted as this category."),
        ] = None,
        offset: Annotated[int, bounded_query(0, MAX_OFFSET, "Analyses to skip, oldest first.")] = 0,
        limit: Annotated[int, bounded_query(1, MAX_PAGE, "How many to return.")] = 50,
    ) -> ReviewPageBody:
        """Each item is cleared by POST /api/analyses/{id}/feedback (confirm or correct)."""
        return review_page_body(await list_review_queue.execute(company_id, label, offset, limit))

"""The "Emerging topics" page: one company's recent tickets the model could not place, clustered, and a new
category made of a cluster in one click."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST

from adapters.inbound.http.admin.forms import FieldErrors, optional_int, text
from adapters.inbound.http.admin.guard import admin_actor
from adapters.inbound.http.admin.rendering import page, redirect
from application.use_cases.companies import ListCompanies
from application.use_cases.emerging_topics import CreateCategoryFromTopic, FindEmergingTopics
from domain.errors import InvalidInput
from domain.labelled_tickets import MAX_LABEL_LENGTH

BASE = "/admin/topics"


@dataclass(frozen=True)
class FailedCategory:
    """A category refused for a topic (`topic`: the ids the page listed for it, which only find it again), shown
    again next to its field with the tickets that were ticked."""

    topic: str
    analysis_ids: frozenset[int]
    category: str
    errors: FieldErrors


class TopicPagesController(Controller):
    path = "/topics"

    @get("/")
    async def topics(
        self,
        request: Request[Any, Any, Any],
        list_companies: NamedDependency[ListCompanies],
        find_emerging_topics: NamedDependency[FindEmergingTopics],
    ) -> Template:
        return await _topics_page(request, list_companies, find_emerging_topics, request.query_params)

    @post("/create-category")
    async def create_category(
        self,
        request: Request[Any, Any, Any],
        create_category_from_topic: NamedDependency[CreateCategoryFromTopic],
        list_companies: NamedDependency[ListCompanies],
        find_emerging_topics: NamedDependency[FindEmergingTopics],
    ) -> Template | Redirect:
        form = await request.form()
        company_id = optional_int(form, "company_id")
        if company_id is None:
            raise InvalidInput("company_id", "choose a company")
        # The ticked tickets' ids are all that is labelled; the use case checks each belongs to the company.
        analysis_ids = [_analysis_id(raw) for raw in form.getall("analysis_id", [])]
        category = text(form, "category")
        try:
            labelled = await create_category_from_topic.execute(
                company_id, analysis_ids, category, admin_actor(request)
            )
        except InvalidInput as error:
            if error.field not in {"category", "analysis_ids"}:
                raise
            errors = FieldErrors()
            errors.add(error)
            failed = FailedCategory(text(form, "topic"), frozenset(analysis_ids), category, errors)
            query = {"company_id": str(company_id)}
            return await _topics_page(
                request, list_companies, find_emerging_topics, query, HTTP_400_BAD_REQUEST, failed
            )
        name = labelled[0].labelled_ticket.category
        message = f"Labelled {len(labelled)} ticket{'s' if len(labelled) != 1 else ''} as “{name}”."
        return redirect(request, f"{BASE}?{urlencode({'company_id': company_id})}", ("success", message))


def _analysis_id(raw: object) -> int:
    value = optional_int({"analysis_id": raw}, "analysis_id")
    if value is None:
        raise InvalidInput("analysis_id", "must be a whole number")
    return value


async def _topics_page(
    request: Request[Any, Any, Any],
    list_companies: ListCompanies,
    find_emerging_topics: FindEmergingTopics,
    query: Mapping[str, Any],
    status_code: int = HTTP_200_OK,
    failed: FailedCategory | None = None,
) -> Template:
    companies = {company.id: company for company in await list_companies.execute()}
    errors = FieldErrors()
    company_id = None
    try:
        company_id = optional_int(query, "company_id")
    except InvalidInput as error:
        errors.add(error)
    report = await find_emerging_topics.execute(company_id) if company_id is not None else None
    return page(
        request,
        "topics.html",
        HTTP_400_BAD_REQUEST if errors else status_code,
        companies=companies,
        values={"company_id": text(query, "company_id")},
        errors=errors,
        report=report,
        policy=find_emerging_topics.policy,
        failed=failed,
        max_label_length=MAX_LABEL_LENGTH,
    )

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST

from adapters.inbound.http.admin.decision_views import CATEGORY_REASON_EXPLAINED, marked_reasons
from adapters.inbound.http.admin.forms import (
    FieldErrors,
    optional_choice,
    optional_day,
    optional_int,
    page_number,
    text,
)
from adapters.inbound.http.admin.rendering import page
from adapters.inbound.http.admin.views import ROUTING_EXPLAINED
from adapters.inbound.http.bounds import PathKey
from application.use_cases.analyses import GetAnalysisDetail, ListAnalyses
from application.use_cases.companies import ListCompanies
from application.use_cases.teams import ListTeams
from domain.analysis import AnalysisFilter
from domain.errors import InvalidInput
from domain.priority import Priority

PAGE_SIZE = 50
FILTER_FIELDS = ("company_id", "category", "priority", "need_admin", "date_from", "date_to")
PRIORITIES = {priority.value: priority for priority in Priority}
NEED_ADMIN = {"yes": True, "no": False}


class AnalysisPagesController(Controller):
    path = "/analyses"

    @get("/")
    async def analyses(
        self,
        request: Request[Any, Any, Any],
        list_analyses: NamedDependency[ListAnalyses],
        list_companies: NamedDependency[ListCompanies],
    ) -> Template:
        query = request.query_params
        values = {name: text(query, name) for name in FILTER_FIELDS}
        errors = FieldErrors()
        criteria = _criteria(query, errors)
        number = page_number(query, PAGE_SIZE)
        companies = {company.id: company for company in await list_companies.execute()}
        if errors:
            return page(
                request,
                "analyses.html",
                HTTP_400_BAD_REQUEST,
                values=values,
                errors=errors,
                companies=companies,
                result=None,
                number=1,
                pages=1,
                query="",
            )
        result = await list_analyses.execute(criteria, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        pages = max(1, -(-result.total // PAGE_SIZE))
        kept = urlencode({name: value for name, value in values.items() if value})
        return page(
            request,
            "analyses.html",
            values=values,
            errors=errors,
            companies=companies,
            result=result,
            number=number,
            pages=pages,
            query=kept,
        )

    @get("/{analysis_id:int}")
    async def analysis(
        self,
        request: Request[Any, Any, Any],
        analysis_id: PathKey,
        get_analysis_detail: NamedDependency[GetAnalysisDetail],
        list_teams: NamedDependency[ListTeams],
    ) -> Template:
        detail = await get_analysis_detail.execute(analysis_id)
        analysis = detail.analysis
        assignment = analysis.assignment
        suggested_id = analysis.decisions.suggested_team_id
        teams = await list_teams.execute(analysis.company_id) if detail.company and suggested_id is not None else ()
        reason = analysis.decisions.category_reason
        reasons = analysis.category.reasons if analysis.category else ()
        return page(
            request,
            "analysis.html",
            detail=detail,
            routing_explained=ROUTING_EXPLAINED.get(assignment.reason) if assignment else None,
            suggested_team=next((team for team in teams if team.id == suggested_id), None),
            reason_explained=CATEGORY_REASON_EXPLAINED.get(reason) if reason else None,
            segments=marked_reasons(analysis.description, reasons),
        )


def _criteria(query: Any, errors: FieldErrors) -> AnalysisFilter:
    """Every field is read even after a bad one, so the page can mark all of them at once."""
    values: dict[str, Any] = {}
    readers: dict[str, Callable[[], object]] = {
        "company_id": lambda: optional_int(query, "company_id"),
        "priority": lambda: optional_choice(query, "priority", PRIORITIES),
        "need_admin": lambda: optional_choice(query, "need_admin", NEED_ADMIN),
        "created_from": lambda: optional_day(query, "date_from"),
        "created_before": lambda: optional_day(query, "date_to", end_of_day=True),
    }
    for name, read in readers.items():
        try:
            values[name] = read()
        except InvalidInput as error:
            errors.add(error)
    if (
        values.get("created_from")
        and values.get("created_before")
        and values["created_before"] <= values["created_from"]
    ):
        errors.add(InvalidInput("date_to", "must not be before the “from” date"))
    category = text(query, "category")
    return AnalysisFilter(category=category or None, **{k: v for k, v in values.items() if v is not None})

"""The review queue: analyses whose category or team was left to a person, confirmed or corrected in one click."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_400_BAD_REQUEST

from adapters.inbound.http.admin.decision_views import CATEGORY_REASON_EXPLAINED, known_labels, marked_reasons
from adapters.inbound.http.admin.forms import FieldErrors, optional_int, page_number, text
from adapters.inbound.http.admin.guard import admin_actor
from adapters.inbound.http.admin.rendering import page, redirect
from adapters.inbound.http.bounds import PathKey
from application.use_cases.companies import ListCompanies
from application.use_cases.labelled_tickets import Feedback, SubmitFeedback
from application.use_cases.models import ListModels
from application.use_cases.review_queue import ListReviewQueue
from application.use_cases.teams import ListTeams
from domain.analysis import TicketAnalysis
from domain.errors import InvalidInput
from domain.labelled_tickets import MAX_LABEL_LENGTH
from domain.model_versions import ModelStatus

PAGE_SIZE = 20
FILTER_FIELDS = ("company_id", "label")


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filter and page as asked for, with the problems found reading them."""

    values: dict[str, str]
    company_id: int | None = None
    label: str | None = None
    number: int = 1
    errors: FieldErrors = field(default_factory=FieldErrors)

    @property
    def query(self) -> str:
        """The filter as a query string, for the pager and for coming back after an action."""
        return urlencode({name: value for name, value in self.values.items() if value})


@dataclass(frozen=True)
class FailedAction:
    """A correction that was refused: shown again on its row, with the message next to its field."""

    analysis_id: int
    errors: FieldErrors
    new_category: str


@dataclass(frozen=True)
class QueueUseCases:
    list_review_queue: ListReviewQueue
    list_companies: ListCompanies
    list_teams: ListTeams
    list_models: ListModels


class ReviewQueueController(Controller):
    path = "/review"

    @get("/")
    async def review_queue(
        self,
        request: Request[Any, Any, Any],
        list_review_queue: NamedDependency[ListReviewQueue],
        list_companies: NamedDependency[ListCompanies],
        list_teams: NamedDependency[ListTeams],
        list_models: NamedDependency[ListModels],
    ) -> Template:
        wanted = _read_filter(request.query_params)
        use_cases = QueueUseCases(list_review_queue, list_companies, list_teams, list_models)
        return await _queue_page(request, use_cases, wanted)

    @post("/{analysis_id:int}/confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], analysis_id: PathKey, submit_feedback: NamedDependency[SubmitFeedback]
    ) -> Redirect:
        form = await request.form()
        back = _back(form)
        # A team chosen here is the person's routing choice: it becomes that team's evidence.
        verdict = Feedback(team_id=optional_int(form, "team_id"))
        result = await submit_feedback.execute(analysis_id, verdict, actor=admin_actor(request))
        message = f"Confirmed analysis #{analysis_id} as “{result.labelled_ticket.category}”."
        return redirect(request, back, ("success", message))

    @post("/{analysis_id:int}/correct")
    async def correct(
        self,
        request: Request[Any, Any, Any],
        analysis_id: PathKey,
        submit_feedback: NamedDependency[SubmitFeedback],
        list_review_queue: NamedDependency[ListReviewQueue],
        list_companies: NamedDependency[ListCompanies],
        list_teams: NamedDependency[ListTeams],
        list_models: NamedDependency[ListModels],
    ) -> Template | Redirect:
        form = await request.form()
        back = _back(form)
        typed, chosen = text(form, "new_category"), text(form, "category")
        try:
            category = typed or chosen
            if not category:
                raise InvalidInput("category", "choose a label or type a new one")
            verdict = Feedback(category, team_id=optional_int(form, "team_id"))
            result = await submit_feedback.execute(analysis_id, verdict, admin_actor(request))
        except InvalidInput as error:
            errors = FieldErrors()
            errors.add(error)
            failed = FailedAction(analysis_id, errors, typed)
            use_cases = QueueUseCases(list_review_queue, list_companies, list_teams, list_models)
            return await _queue_page(request, use_cases, _read_filter(form), HTTP_400_BAD_REQUEST, failed)
        verb = "Corrected" if result.corrected else "Confirmed"
        message = f"{verb} analysis #{analysis_id} as “{result.labelled_ticket.category}”."
        return redirect(request, back, ("success", message))


def _read_filter(source: Mapping[str, Any]) -> QueueFilter:
    """Every field is read even after a bad one, so the page can mark all of them at once. An unreadable page
    number past any store is InvalidInput (the error page), as on the other lists."""
    values = {name: text(source, name) for name in FILTER_FIELDS}
    errors = FieldErrors()
    company_id = None
    try:
        company_id = optional_int(source, "company_id")
    except InvalidInput as error:
        errors.add(error)
    label = values["label"] or None
    if label is not None and len(label) > MAX_LABEL_LENGTH:
        errors.add(InvalidInput("label", f"must be at most {MAX_LABEL_LENGTH} characters"))
        label = None
    return QueueFilter(values, company_id, label, page_number(source, PAGE_SIZE), errors)


def _back(form: Mapping[str, Any]) -> str:
    """The queue as it was shown (filter and page kept when they read well), to carry on where the admin was."""
    try:
        wanted = _read_filter(form)
    except InvalidInput:
        wanted = _read_filter({name: form.get(name) for name in FILTER_FIELDS})
    query = urlencode(
        {name: value for name, value in wanted.values.items() if value and name not in wanted.errors}
        | ({"page": str(wanted.number)} if wanted.number > 1 else {})
    )
    return "/admin/review" + (f"?{query}" if query else "")


async def _queue_page(
    request: Request[Any, Any, Any],
    use_cases: QueueUseCases,
    wanted: QueueFilter,
    status_code: int = HTTP_200_OK,
    failed: FailedAction | None = None,
) -> Template:
    companies = {company.id: company for company in await use_cases.list_companies.execute()}
    common = {"values": wanted.values, "errors": wanted.errors, "companies": companies, "failed": failed}
    if wanted.errors:
        return page(
            request,
            "review.html",
            HTTP_400_BAD_REQUEST,
            result=None,
            number=1,
            pages=1,
            query="",
            items=[],
            review_total=None,
            **common,
        )
    queue = use_cases.list_review_queue
    number = wanted.number
    result = await queue.execute(wanted.company_id, wanted.label, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max(1, -(-result.total // PAGE_SIZE))
    if not result.items and number > pages:
        # The last items of the last page were just cleared: show the page that now is the last one.
        number = pages
        result = await queue.execute(wanted.company_id, wanted.label, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    items = await _rows(use_cases, result.items, companies)
    total = result.total if wanted.company_id is None and wanted.label is None else None
    return page(
        request,
        "review.html",
        status_code,
        result=result,
        number=number,
        pages=pages,
        query=wanted.query,
        items=items,
        review_total=total,
        **common,
    )


async def _rows(
    use_cases: QueueUseCases, analyses: Sequence[TicketAnalysis], companies: Mapping[int | None, Any]
) -> list[dict[str, Any]]:
    """What each row shows: the analysis, its marked text, why it was left to a person, the labels to correct it
    with (the active model's, the company's team categories, and this prediction's) and the suggested team."""
    active = [version for version in await use_cases.list_models.execute() if version.status is ModelStatus.ACTIVE]
    model_labels = active[0].labels if active else ()
    teams_of: dict[int, Any] = {}
    for company_id in {analysis.company_id for analysis in analyses}:
        teams_of[company_id] = list(await use_cases.list_teams.execute(company_id)) if company_id in companies else []
    rows = []
    for analysis in analyses:
        teams = teams_of.get(analysis.company_id, [])
        prediction = analysis.category
        predicted = [prediction.label, *(other.label for other in prediction.alternatives)] if prediction else []
        reason = analysis.decisions.category_reason
        rows.append(
            {
                "analysis": analysis,
                "segments": marked_reasons(analysis.description, prediction.reasons if prediction else ()),
                "reason_explained": CATEGORY_REASON_EXPLAINED.get(reason) if reason else None,
                "labels": known_labels(model_labels, [c for team in teams for c in team.categories], predicted),
                "teams": teams,
                "suggested_team": next((t for t in teams if t.id == analysis.decisions.suggested_team_id), None),
                "company": companies.get(analysis.company_id),
            }
        )
    return rows

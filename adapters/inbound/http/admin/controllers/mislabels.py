"""The "Likely mislabelled" page: the latest training run's candidates, and the three things an admin can do."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from adapters.inbound.http.admin.forms import choice, page_number, text
from adapters.inbound.http.admin.rendering import page, redirect
from adapters.inbound.http.bounds import PathKey
from application.use_cases.mislabels import ListMislabelCandidates, MislabelAction, ResolveMislabelCandidate
from domain.errors import InvalidInput
from domain.labelled_tickets import MAX_LABEL_LENGTH

PAGE_SIZE = 50
BASE = "/admin/mislabelled"
ACTIONS = {action.value: action for action in MislabelAction}
_DONE = {
    MislabelAction.CONFIRM: "label confirmed",
    MislabelAction.CHANGE: "label changed",
    MislabelAction.EXCLUDE: "ticket excluded from training",
}


class MislabelPagesController(Controller):
    path = "/mislabelled"

    @get("/")
    async def candidates(
        self, request: Request[Any, Any, Any], list_mislabel_candidates: NamedDependency[ListMislabelCandidates]
    ) -> Template:
        label = _label_filter(request.query_params)
        number = page_number(request.query_params, PAGE_SIZE)
        listing = await list_mislabel_candidates.execute(label, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        labels = sorted(
            set(listing.unresolved_per_label)
            | {e.candidate.proposed_label for e in listing.entries}
            | {e.candidate.given_label for e in listing.entries}
        )
        return page(
            request,
            "mislabelled.html",
            listing=listing,
            label=label or "",
            labels=labels,
            number=number,
            pages=max(1, -(-listing.total // PAGE_SIZE)),
            query=urlencode({"label": label}) if label else "",
        )

    @post("/{candidate_id:int}")
    async def resolve(
        self,
        request: Request[Any, Any, Any],
        candidate_id: PathKey,
        resolve_mislabel_candidate: NamedDependency[ResolveMislabelCandidate],
    ) -> Redirect:
        form = await request.form()
        action: MislabelAction = choice(form, "action", ACTIONS)
        admin = request.state.get("admin")
        by = admin.username if admin is not None else ""
        new_label = text(form, "new_label") if action is MislabelAction.CHANGE else None
        resolved = await resolve_mislabel_candidate.execute(candidate_id, action, by, new_label)
        back = _back(text(form, "label"), text(form, "page"))
        message = f"Ticket {resolved.labelled_ticket_id}: {_DONE[action]}."
        return redirect(request, back, ("success", message))


def _label_filter(query: Any) -> str | None:
    label = text(query, "label")
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidInput("label", f"must be at most {MAX_LABEL_LENGTH} characters")
    return label or None


def _back(label: str, number: str) -> str:
    """The list the form was sent from (same label filter and page), built only from what the site accepts."""
    query: dict[str, str] = {}
    if label and len(label) <= MAX_LABEL_LENGTH:
        query["label"] = label
    if number.isdigit() and 1 < int(number) <= 10_000:
        query["page"] = number
    return f"{BASE}?{urlencode(query)}" if query else BASE

"""Request bodies of the HTTP API, typed: the handlers take them as `data`, so /schema documents each of them.

Types and bounds are checked here, at the edge (see `body.py`); what a value means (a blank name, a text over the
configured length, an unknown company) is still the domain's to check. Unknown extra fields are ignored, as the
seed service did. UNSET marks a field a PATCH leaves as it is.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from adapters.inbound.http.bounds import Key, TeamKey
from domain.companies import MAX_NAME_LENGTH, MAX_TEAM_DESCRIPTION_LENGTH
from domain.decision_policy import DEFAULT_TARGET_PRECISION
from domain.priority import Priority

Name = Annotated[str, Meta(max_length=MAX_NAME_LENGTH)]
TeamDescription = Annotated[str, Meta(max_length=MAX_TEAM_DESCRIPTION_LENGTH)]


class AnalyzeRequest(msgspec.Struct, kw_only=True):
    """The seed's body: the ticket's text and the customer company's id."""

    description: str
    company_id: Key


class BatchTicket(msgspec.Struct, kw_only=True):
    description: str


class AnalyzeBatchRequest(msgspec.Struct, kw_only=True):
    """Several tickets of one company, answered in order. How many one call may carry is the `ANALYZE_BATCH_MAX`
    setting (a longer list is a 400 naming `tickets`)."""

    company_id: Key
    tickets: list[BatchTicket]


class CompanyCreate(msgspec.Struct, kw_only=True):
    """`category_mode` / `team_mode`: autofill, recommend or monitor; `target_precision` in (0, 1] (the
    domain checks both and names the field); `trust_uncalibrated`: let an uncalibrated model decide."""

    name: Name
    auto_categorize: bool = True
    auto_prioritize: bool = True
    auto_assign: bool = True
    category_mode: str = "autofill"
    team_mode: str = "autofill"
    target_precision: float = DEFAULT_TARGET_PRECISION
    trust_uncalibrated: bool = False


class CompanyPatch(msgspec.Struct, kw_only=True):
    """Only the fields given change; a null name also leaves the name as it is."""

    name: Name | None | UnsetType = UNSET
    auto_categorize: bool | UnsetType = UNSET
    auto_prioritize: bool | UnsetType = UNSET
    auto_assign: bool | UnsetType = UNSET
    category_mode: str | UnsetType = UNSET
    team_mode: str | UnsetType = UNSET
    target_precision: float | UnsetType = UNSET
    trust_uncalibrated: bool | UnsetType = UNSET


class TeamCreate(msgspec.Struct, kw_only=True):
    name: Name
    category: Name | None = None
    description: TeamDescription | None = ""


class TeamPatch(msgspec.Struct, kw_only=True):
    """Only the fields given change; a null category or description clears it."""

    name: Name | UnsetType = UNSET
    category: Name | None | UnsetType = UNSET
    description: TeamDescription | None | UnsetType = UNSET


class LabelledTicketIn(msgspec.Struct, kw_only=True):
    """One labelled ticket of a batch."""

    text: str
    category: str
    priority: Priority | None = None
    team_id: TeamKey | None = None
    source: str | None = None


class LabelledTicketsIn(msgspec.Struct, kw_only=True):
    """Either one ticket, its fields at the top level, or a batch in `tickets` (stored all or nothing).

    (One body type with every field optional: a union of two object types cannot be told apart without a tag.)
    """

    tickets: list[LabelledTicketIn] | UnsetType = UNSET
    text: str | UnsetType = UNSET
    category: str | UnsetType = UNSET
    priority: Priority | None = None
    team_id: TeamKey | None = None
    source: str | None = None

    def as_items(self) -> list[dict[str, object]]:
        """The tickets as the use case takes them; a missing field is None, which the domain reports."""
        if not isinstance(self.tickets, UnsetType):
            return [_fields(ticket) for ticket in self.tickets]
        return [_fields(self)]


_TICKET_FIELDS = ("text", "category", "priority", "team_id", "source")


def _fields(ticket: LabelledTicketIn | LabelledTicketsIn) -> dict[str, object]:
    values = {name: getattr(ticket, name) for name in _TICKET_FIELDS}
    return {name: None if value is UNSET else value for name, value in values.items()}


class FeedbackIn(msgspec.Struct, kw_only=True, frozen=True):
    """An empty body (or `{}`) confirms the analysis; `category` corrects it."""

    category: str | None = None
    priority: Priority | None = None
    team_id: TeamKey | None = None

"""Request bodies of the HTTP API, typed: the handlers take them as `data`, so /schema documents each of them, and
each converts itself into the command its use case takes (`to_command`).

What /schema says of a field is what the service enforces. Types, enums, numeric bounds and list sizes are checked
here, at the edge (see `body.py`). That a text is not blank is the domain's rule, which it words per field: /schema
documents it (`minLength`, `pattern`) and the domain refuses a blank text naming the field. Limits that are
settings (`MAX_DESCRIPTION_LENGTH`, `ANALYZE_BATCH_MAX`) are the domain's to check and are not in /schema. Unknown
extra fields are ignored, as the seed service did. UNSET marks a field a PATCH leaves as it is.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar.openapi.spec import Schema
from msgspec import UNSET, Meta, UnsetType

from adapters.inbound.http.bounds import Key, TeamKey
from application.use_cases.companies import CompanyChanges
from application.use_cases.labelled_tickets import MAX_BATCH, Feedback, NewLabelledTicket
from application.use_cases.teams import TeamChanges, TeamDraft
from domain.companies import MAX_NAME_LENGTH, MAX_TEAM_CATEGORIES, MAX_TEAM_DESCRIPTION_LENGTH, Company
from domain.decision_policy import DecisionMode
from domain.labelled_tickets import MAX_LABEL_LENGTH, MAX_SOURCE_LENGTH
from domain.priority import Priority

NOT_BLANK = Schema(min_length=1, pattern=r"\S")
"""A text with at least one character that is not whitespace."""
EMPTY_OR_NOT_BLANK = Schema(pattern=r"^$|\S")
"""A source: empty means the default one (`api`), else not blank."""


def _documented(rule: Schema, max_length: int | None = None) -> Meta:
    return Meta(max_length=max_length, extra_json_schema={"extra": rule.to_schema()})


Text = Annotated[str, _documented(NOT_BLANK)]
Name = Annotated[str, _documented(NOT_BLANK, MAX_NAME_LENGTH)]
Label = Annotated[str, _documented(NOT_BLANK, MAX_LABEL_LENGTH)]
Source = Annotated[str, _documented(EMPTY_OR_NOT_BLANK, MAX_SOURCE_LENGTH)]
OptionalName = Annotated[str, Meta(max_length=MAX_NAME_LENGTH)]
"""A team's category: blank means none."""
TeamDescription = Annotated[str, Meta(max_length=MAX_TEAM_DESCRIPTION_LENGTH)]
TargetPrecision = Annotated[float, Meta(gt=0.0, le=1.0, extra_json_schema={"extra": {"exclusiveMinimum": 0}})]
"""Litestar leaves a bound of zero out of /schema (it tests the bound for truth), so `extra` states it."""

_DEFAULT = Company(id=None, name="")
"""Where a new company's defaults come from, so /schema shows the domain's own."""


class AnalyzeRequest(msgspec.Struct, kw_only=True):
    """The seed's body: the ticket's text (at most `MAX_DESCRIPTION_LENGTH` characters) and the customer company's
    id."""

    description: Text
    company_id: Key


class BatchTicket(msgspec.Struct, kw_only=True):
    """A blank description is answered as this ticket's error, not refused with the batch."""

    description: str


class AnalyzeBatchRequest(msgspec.Struct, kw_only=True):
    """Several tickets of one company, answered in order. How many one call may carry is the `ANALYZE_BATCH_MAX`
    setting (a longer list is a 400 naming `tickets`)."""

    company_id: Key
    tickets: Annotated[list[BatchTicket], Meta(min_length=1)]


class CompanyCreate(msgspec.Struct, kw_only=True):
    """`category_mode` / `team_mode`: how the company uses each field's predictions; `target_precision`: how often
    an automatic decision must be right; `trust_uncalibrated`: let an uncalibrated model decide."""

    name: Name
    auto_categorize: bool = _DEFAULT.flags.auto_categorize
    auto_prioritize: bool = _DEFAULT.flags.auto_prioritize
    auto_assign: bool = _DEFAULT.flags.auto_assign
    category_mode: DecisionMode = _DEFAULT.policy.category_mode
    team_mode: DecisionMode = _DEFAULT.policy.team_mode
    target_precision: TargetPrecision = _DEFAULT.policy.target_precision
    trust_uncalibrated: bool = _DEFAULT.policy.trust_uncalibrated
    similar_tickets_enabled: bool = _DEFAULT.flags.similar_tickets
    """Answers carry `similar_tickets` and `possible_duplicate_of`."""

    def to_command(self) -> CompanyChanges:
        return CompanyChanges(**msgspec.structs.asdict(self))


class CompanyPatch(msgspec.Struct, kw_only=True):
    """Only the fields given change; a null name also leaves the name as it is."""

    name: Name | None | UnsetType = UNSET
    auto_categorize: bool | UnsetType = UNSET
    auto_prioritize: bool | UnsetType = UNSET
    auto_assign: bool | UnsetType = UNSET
    category_mode: DecisionMode | UnsetType = UNSET
    team_mode: DecisionMode | UnsetType = UNSET
    target_precision: TargetPrecision | UnsetType = UNSET
    trust_uncalibrated: bool | UnsetType = UNSET
    similar_tickets_enabled: bool | UnsetType = UNSET

    def to_command(self) -> CompanyChanges:
        return CompanyChanges(**_given(self))


TeamCategories = Annotated[list[OptionalName], Meta(max_length=MAX_TEAM_CATEGORIES)]
"""Every category a team owns, its main one (`category`) first unless `category` is given too."""


class TeamCreate(msgspec.Struct, kw_only=True):
    name: Name
    category: OptionalName | None = None
    description: TeamDescription | None = ""
    categories: TeamCategories | None = None

    def to_command(self) -> TeamDraft:
        return TeamDraft(self.name, self.category, self.description, self.categories)


class TeamPatch(msgspec.Struct, kw_only=True):
    """Only the fields given change; a null category or description clears it. `categories` replaces every
    category the team owns; `category` alone changes the main one and keeps the others."""

    name: Name | UnsetType = UNSET
    category: OptionalName | None | UnsetType = UNSET
    description: TeamDescription | None | UnsetType = UNSET
    categories: TeamCategories | UnsetType = UNSET

    def to_command(self) -> TeamChanges:
        return TeamChanges(**_given(self))


class LabelledTicketIn(msgspec.Struct, kw_only=True):
    """One labelled ticket of a batch; its text is at most `MAX_DESCRIPTION_LENGTH` characters."""

    text: Text
    category: Label
    priority: Priority | None = None
    team_id: TeamKey | None = None
    source: Source | None = None

    def to_command(self) -> NewLabelledTicket:
        return NewLabelledTicket(self.text, self.category, self.priority, self.team_id, self.source)


class LabelledTicketsIn(msgspec.Struct, kw_only=True):
    """Either a batch in `tickets` (stored all or nothing; the fields beside it are then not read, though their
    types are checked), or one ticket, its fields at the top level: `ONE_TICKET_OR_A_BATCH` says so in /schema.

    (One body type with every field optional: a union of two object types cannot be told apart without a tag.)
    """

    tickets: Annotated[list[LabelledTicketIn], Meta(min_length=1, max_length=MAX_BATCH)] | UnsetType = UNSET
    text: str | UnsetType = UNSET
    category: Annotated[str, Meta(max_length=MAX_LABEL_LENGTH)] | UnsetType = UNSET
    priority: Priority | None = None
    team_id: TeamKey | None = None
    source: Annotated[str, Meta(max_length=MAX_SOURCE_LENGTH)] | None = None

    def to_command(self) -> list[NewLabelledTicket]:
        """The tickets as the use case takes them; a missing text or category is None, which the domain reports."""
        if not isinstance(self.tickets, UnsetType):
            return [ticket.to_command() for ticket in self.tickets]
        text = None if isinstance(self.text, UnsetType) else self.text
        category = None if isinstance(self.category, UnsetType) else self.category
        return [NewLabelledTicket(text, category, self.priority, self.team_id, self.source)]


ONE_TICKET_OR_A_BATCH = [
    Schema(required=["tickets"]),
    Schema(
        required=["text", "category"],
        properties={"text": NOT_BLANK, "category": NOT_BLANK, "source": EMPTY_OR_NOT_BLANK},
    ),
]
"""The `anyOf` of `LabelledTicketsIn`: a batch, or the one ticket's text and category, neither blank."""


class FeedbackIn(msgspec.Struct, kw_only=True, frozen=True):
    """An empty body (or `{}`) confirms the analysis; `category` corrects it."""

    category: Label | None = None
    priority: Priority | None = None
    team_id: TeamKey | None = None

    def to_command(self) -> Feedback:
        return Feedback(self.category, self.priority, self.team_id)


def _given(body: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body gave."""
    return {name: value for name, value in msgspec.structs.asdict(body).items() if value is not UNSET}

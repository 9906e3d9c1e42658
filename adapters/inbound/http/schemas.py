"""Wire formats of the HTTP API (msgspec). The seed's keys are kept exactly; new keys are only added."""

from __future__ import annotations

import msgspec


class AnalyzeRequest(msgspec.Struct):
    # Typed as object so a wrong type is reported by the domain's validation, naming the field.
    description: object = msgspec.UNSET
    company_id: object = msgspec.UNSET


class LabelConfidence(msgspec.Struct):
    label: str
    confidence: float


class TeamAssignmentBody(msgspec.Struct):
    assigned_team_id: int | None
    need_admin: bool
    bert_category: str | None
    bert_confidence: float | None
    similarity_score: float | None
    reason: str


class AnalyzeResponse(msgspec.Struct):
    analysis_id: int | None
    category: str | None
    category_confidence: float | None
    category_alternatives: list[LabelConfidence]
    priority: str | None
    sentiment_polarity: float | None
    team_assignment: TeamAssignmentBody | None
    model_version: str | None


class CompanyBody(msgspec.Struct):
    id: int
    name: str
    auto_categorize: bool
    auto_prioritize: bool
    auto_assign: bool


class CompanyCreate(msgspec.Struct):
    name: object = msgspec.UNSET
    auto_categorize: object = True
    auto_prioritize: object = True
    auto_assign: object = True


class CompanyPatch(msgspec.Struct):
    name: object = msgspec.UNSET
    auto_categorize: object = msgspec.UNSET
    auto_prioritize: object = msgspec.UNSET
    auto_assign: object = msgspec.UNSET


class TeamBody(msgspec.Struct):
    id: int
    company_id: int
    name: str
    category: str | None
    description: str


class TeamCreate(msgspec.Struct):
    name: object = msgspec.UNSET
    category: object = None
    description: object = ""


class TeamPatch(msgspec.Struct):
    name: object = msgspec.UNSET
    category: object = msgspec.UNSET
    description: object = msgspec.UNSET


class TrainingStatusBody(msgspec.Struct):
    analyses_since_trigger: int
    threshold: int
    running: bool
    running_since: str | None
    last_triggered_at: str | None
    last_error: str | None


class ErrorBody(msgspec.Struct, omit_defaults=True):
    error: str
    field: str | None = None

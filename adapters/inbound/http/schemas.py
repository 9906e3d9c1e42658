"""Response bodies of the HTTP API (msgspec). The seed's keys are kept exactly; new keys are only added.

Request bodies are in `request_bodies.py`."""

from __future__ import annotations

import msgspec


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


class TeamBody(msgspec.Struct):
    id: int
    company_id: int
    name: str
    category: str | None
    description: str


class TrainingStatusBody(msgspec.Struct):
    analyses_since_trigger: int
    threshold: int
    running: bool
    running_since: str | None
    last_triggered_at: str | None
    last_error: str | None


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every error answer: what went wrong, and the field to blame when there is one (absent otherwise)."""

    error: str
    field: str | None = None


class AliveBody(msgspec.Struct):
    status: str


class ReadinessBody(msgspec.Struct):
    """Ready (200) when the database answers, every model is loaded and the job queue is reachable, else 503."""

    status: str
    database: bool
    models: bool
    broker: bool


class LabelledTicketBody(msgspec.Struct):
    id: int
    text: str
    category: str
    priority: str | None
    team_id: int | None
    source: str
    created_at: str


class LabelledTicketPage(msgspec.Struct):
    total: int
    offset: int
    limit: int
    items: list[LabelledTicketBody]


class FeedbackBody(msgspec.Struct):
    analysis_id: int
    labelled_ticket_id: int
    category: str
    corrected: bool


class ModelVersionBody(msgspec.Struct):
    id: int
    name: str
    status: str
    labels: list[str]
    created_at: str
    activated_at: str | None
    training_size: int
    training_run_id: int | None
    note: str | None
    accuracy: float | None
    macro_f1: float | None
    metrics: dict[str, object]


class TrainingProgressBody(msgspec.Struct):
    phase: str
    percent: float
    loss: float | None


class TrainingRunBody(msgspec.Struct):
    id: int
    trigger: str
    status: str
    progress: TrainingProgressBody
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    labelled_tickets: int
    model_version_id: int | None
    promoted: bool
    decision: str | None
    metrics: dict[str, object]


class TriggerBody(msgspec.Struct):
    outcome: str
    run_id: int | None

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
    suggested_team_id: int | None = None
    """The team the routing chose; assigned (`assigned_team_id`) only when `team_decision` is auto."""
    team_confidence: float | None = None
    """The probability that the routed team is right: the sum of the category probabilities of the labels it takes;
    null when it was not routed by category."""


class SimilarTicketBody(msgspec.Struct):
    """An earlier ticket of the same company: an analysis or a labelled ticket (the other id is null)."""

    analysis_id: int | None
    labelled_ticket_id: int | None
    similarity: float
    category: str | None
    category_is_human_label: bool
    """True when `category` is a person's label rather than a model's prediction."""
    team_id: int | None
    created_at: str


class SimilarTicketsBody(msgspec.Struct):
    similar_tickets: list[SimilarTicketBody]


class AnalyzeResponse(msgspec.Struct):
    analysis_id: int | None
    category: str | None
    category_confidence: float | None
    category_alternatives: list[LabelConfidence]
    priority: str | None
    sentiment_polarity: float | None
    team_assignment: TeamAssignmentBody | None
    model_version: str | None
    category_decision: str | None = None
    """"auto" (may be acted on) or "review" (a person should check); null when the field is off or monitored."""
    team_decision: str | None = None
    category_reason: str | None = None
    reasons: list[str] = msgspec.field(default_factory=list)
    """Words of the ticket that pushed towards the category, strongest first."""
    similar_tickets: list[SimilarTicketBody] | None = None
    """Earlier tickets of the same company closest to this one, most similar first; null when the company turned
    them off."""
    possible_duplicate_of: SimilarTicketBody | None = None
    """The most similar ticket of the last DUPLICATE_WINDOW_HOURS when it is close enough to be a duplicate."""


class BatchAnalysis(AnalyzeResponse, tag_field="outcome", tag="answered"):
    """One ticket of a batch answered: the fields of /api/analyze, and `"outcome": "answered"`."""


class BatchItemError(msgspec.Struct, tag_field="outcome", tag="error"):
    """One ticket of a batch that broke a rule (`"outcome": "error"`); the other tickets are still answered."""

    error: str
    field: str


class AnalyzeBatchResponse(msgspec.Struct):
    results: list[BatchAnalysis | BatchItemError]
    """One entry per ticket, in the order given: its analysis, or its error."""


class CompanyBody(msgspec.Struct):
    id: int
    name: str
    auto_categorize: bool
    auto_prioritize: bool
    auto_assign: bool
    category_mode: str
    team_mode: str
    target_precision: float
    trust_uncalibrated: bool
    similar_tickets_enabled: bool = True


class TeamBody(msgspec.Struct):
    id: int
    company_id: int
    name: str
    category: str | None
    description: str
    categories: list[str] = msgspec.field(default_factory=list)
    """Every category the team owns, `category` (its main one) first; empty when it has none."""


class TrainingStatusBody(msgspec.Struct):
    analyses_since_trigger: int
    threshold: int
    running: bool
    running_since: str | None
    last_triggered_at: str | None
    last_error: str | None
    new_labels: int
    """Labelled tickets added, excluded, superseded or relabelled since the last training that ended."""
    min_new_labels: int
    """`RETRAIN_MIN_NEW_LABELS`: this many new labels start a training without waiting for the threshold (0: off)."""
    skipped_triggers: int
    """Times the analysis count was due but nothing was new to learn, so no run was started."""
    last_full_training_at: str | None


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


class ReviewItemBody(msgspec.Struct):
    """One analysis waiting for a person: its suggestion, the runner-up labels, the words behind it, and the
    decisions that sent it here."""

    analysis_id: int
    company_id: int
    description: str
    created_at: str
    category: str | None
    category_confidence: float | None
    category_alternatives: list[LabelConfidence]
    reasons: list[str]
    category_decision: str | None
    category_reason: str | None
    team_decision: str | None
    suggested_team_id: int | None
    priority: str | None
    model_version: str | None


class ReviewPageBody(msgspec.Struct):
    total: int
    offset: int
    limit: int
    items: list[ReviewItemBody]


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


class TrainingStageBody(msgspec.Struct):
    """One stage of a run: "linear" (the linear model alone, promoted at once when good enough), then "hybrid"."""

    stage: str
    model_version_id: int | None
    promoted: bool
    decision: str | None
    accuracy: float | None
    macro_f1: float | None
    ece: float | None
    seconds: float | None
    error: str | None


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
    stages: list[TrainingStageBody]
    """The run's stages in order (empty for a run recorded before stages); the top-level fields describe the last."""


class TriggerBody(msgspec.Struct):
    outcome: str
    run_id: int | None

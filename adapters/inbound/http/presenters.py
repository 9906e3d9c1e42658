"""Domain objects to wire structs."""

from __future__ import annotations

from datetime import datetime

from adapters.inbound.http.schemas import (
    AnalyzeResponse,
    CompanyBody,
    LabelConfidence,
    LabelledTicketBody,
    ModelVersionBody,
    ReviewItemBody,
    ReviewPageBody,
    SimilarTicketBody,
    TeamAssignmentBody,
    TeamBody,
    TrainingProgressBody,
    TrainingRunBody,
    TrainingStageBody,
    TrainingStatusBody,
)
from application.use_cases.review_queue import ReviewPage
from application.use_cases.training_status import TrainingStatus
from domain.analysis import TicketAnalysis
from domain.companies import Company, Team
from domain.labelled_tickets import LabelledTicket
from domain.model_versions import ModelVersion
from domain.predictions import CategoryPrediction
from domain.similar_tickets import SimilarTicket
from domain.training_runs import TrainingRun


def analysis_response(analysis: TicketAnalysis) -> AnalyzeResponse:
    """A monitored field (decisions.*_answered False) is answered as if it were off: null, with a null
    decision."""
    decisions = analysis.decisions
    prediction = analysis.category if decisions.category_answered else None
    assignment = None
    if analysis.assignment is not None and decisions.team_answered:
        assignment = TeamAssignmentBody(
            assigned_team_id=analysis.assignment.assigned_team_id,
            need_admin=analysis.assignment.need_admin,
            bert_category=prediction.label if prediction else None,
            bert_confidence=round(prediction.confidence, 6) if prediction else None,
            similarity_score=analysis.assignment.similarity_score,
            reason=analysis.assignment.reason.value,
            suggested_team_id=decisions.suggested_team_id,
            team_confidence=analysis.assignment.team_confidence,
        )
    category_decision = decisions.category if prediction is not None else None
    team_decision = decisions.team if assignment is not None else None
    return AnalyzeResponse(
        analysis_id=analysis.id,
        category=prediction.label if prediction else None,
        category_confidence=round(prediction.confidence, 6) if prediction else None,
        category_alternatives=_alternatives(prediction),
        priority=analysis.priority.value if analysis.priority else None,
        sentiment_polarity=round(analysis.polarity, 6) if analysis.polarity is not None else None,
        team_assignment=assignment,
        model_version=analysis.model_version,
        category_decision=category_decision.value if category_decision else None,
        team_decision=team_decision.value if team_decision else None,
        category_reason=decisions.category_reason.value if prediction and decisions.category_reason else None,
        reasons=list(prediction.reasons) if prediction else [],
        similar_tickets=[similar_ticket_body(t) for t in analysis.similar_tickets]
        if analysis.similar_tickets is not None
        else None,
        possible_duplicate_of=similar_ticket_body(analysis.possible_duplicate_of)
        if analysis.possible_duplicate_of is not None
        else None,
    )


def similar_ticket_body(ticket: SimilarTicket) -> SimilarTicketBody:
    return SimilarTicketBody(
        analysis_id=ticket.analysis_id,
        labelled_ticket_id=ticket.labelled_ticket_id,
        similarity=round(ticket.similarity, 6),
        category=ticket.category,
        category_is_human_label=ticket.category_is_human_label,
        team_id=ticket.team_id,
        created_at=ticket.created_at.isoformat(),
    )


def _alternatives(prediction: CategoryPrediction | None) -> list[LabelConfidence]:
    alternatives = prediction.alternatives if prediction else ()
    return [LabelConfidence(alt.label, round(alt.confidence, 6)) for alt in alternatives]


def review_page_body(page: ReviewPage) -> ReviewPageBody:
    return ReviewPageBody(page.total, page.offset, page.limit, [review_item_body(item) for item in page.items])


def review_item_body(analysis: TicketAnalysis) -> ReviewItemBody:
    assert analysis.id is not None
    prediction, decisions = analysis.category, analysis.decisions
    return ReviewItemBody(
        analysis_id=analysis.id,
        company_id=analysis.company_id,
        description=analysis.description,
        created_at=analysis.created_at.isoformat(),
        category=prediction.label if prediction else None,
        category_confidence=round(prediction.confidence, 6) if prediction else None,
        category_alternatives=_alternatives(prediction),
        reasons=list(prediction.reasons) if prediction else [],
        category_decision=decisions.category.value if decisions.category else None,
        category_reason=decisions.category_reason.value if decisions.category_reason else None,
        team_decision=decisions.team.value if decisions.team else None,
        suggested_team_id=decisions.suggested_team_id,
        priority=analysis.priority.value if analysis.priority else None,
        model_version=analysis.model_version,
    )


def company_body(company: Company) -> CompanyBody:
    assert company.id is not None
    return CompanyBody(
        id=company.id,
        name=company.name,
        auto_categorize=company.flags.auto_categorize,
        auto_prioritize=company.flags.auto_prioritize,
        auto_assign=company.flags.auto_assign,
        category_mode=company.policy.category_mode.value,
        team_mode=company.policy.team_mode.value,
        target_precision=company.policy.target_precision,
        trust_uncalibrated=company.policy.trust_uncalibrated,
        similar_tickets_enabled=company.flags.similar_tickets,
    )


def team_body(team: Team) -> TeamBody:
    assert team.id is not None
    return TeamBody(team.id, team.company_id, team.name, team.category, team.description, list(team.categories))


def training_status_body(status: TrainingStatus) -> TrainingStatusBody:
    state = status.state
    return TrainingStatusBody(
        analyses_since_trigger=state.analyses_since_trigger,
        threshold=status.policy.threshold,
        running=state.running,
        running_since=_iso(state.running_since),
        last_triggered_at=_iso(state.last_triggered_at),
        last_error=state.last_error,
        new_labels=state.new_labels,
        min_new_labels=status.policy.min_new_labels,
        skipped_triggers=state.skipped_triggers,
        last_full_training_at=_iso(state.last_full_at),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def labelled_ticket_body(ticket: LabelledTicket) -> LabelledTicketBody:
    assert ticket.id is not None
    return LabelledTicketBody(
        id=ticket.id,
        text=ticket.text,
        category=ticket.category,
        priority=ticket.priority.value if ticket.priority else None,
        team_id=ticket.team_id,
        source=ticket.source,
        created_at=ticket.created_at.isoformat(),
    )


def model_version_body(version: ModelVersion) -> ModelVersionBody:
    assert version.id is not None
    test = version.metrics.test
    return ModelVersionBody(
        id=version.id,
        name=version.name,
        status=version.status.value,
        labels=list(version.labels),
        created_at=version.created_at.isoformat(),
        activated_at=_iso(version.activated_at),
        training_size=version.training_size,
        training_run_id=version.training_run_id,
        note=version.note,
        accuracy=test.accuracy if test is not None else None,
        macro_f1=test.macro_f1 if test is not None else None,
        metrics=version.metrics.to_json(),
    )


def training_run_body(run: TrainingRun) -> TrainingRunBody:
    assert run.id is not None
    return TrainingRunBody(
        id=run.id,
        trigger=run.trigger,
        status=run.status.value,
        progress=TrainingProgressBody(run.progress.phase, round(run.progress.percent, 2), run.progress.loss),
        created_at=run.created_at.isoformat(),
        started_at=_iso(run.started_at),
        finished_at=_iso(run.finished_at),
        error=run.error,
        labelled_tickets=run.labelled_tickets,
        model_version_id=run.model_version_id,
        promoted=run.promoted,
        decision=run.decision,
        metrics=run.metrics.to_json(),
        stages=[
            TrainingStageBody(
                stage.stage,
                stage.model_version_id,
                stage.promoted,
                stage.decision,
                stage.accuracy,
                stage.macro_f1,
                stage.ece,
                stage.seconds,
                stage.error,
            )
            for stage in run.metrics.stages
        ],
    )

"""Domain objects to wire structs."""

from __future__ import annotations

from datetime import datetime

from adapters.inbound.http.schemas import (
    AnalyzeResponse,
    CompanyBody,
    LabelConfidence,
    TeamAssignmentBody,
    TeamBody,
    TrainingStatusBody,
)
from application.use_cases.training_status import TrainingStatus
from domain.analysis import TicketAnalysis
from domain.companies import Company, Team


def analysis_response(analysis: TicketAnalysis) -> AnalyzeResponse:
    prediction = analysis.category
    assignment = None
    if analysis.assignment is not None:
        assignment = TeamAssignmentBody(
            assigned_team_id=analysis.assignment.assigned_team_id,
            need_admin=analysis.assignment.need_admin,
            bert_category=prediction.label if prediction else None,
            bert_confidence=round(prediction.confidence, 6) if prediction else None,
            similarity_score=analysis.assignment.similarity_score,
            reason=analysis.assignment.reason.value,
        )
    return AnalyzeResponse(
        analysis_id=analysis.id,
        category=prediction.label if prediction else None,
        category_confidence=round(prediction.confidence, 6) if prediction else None,
        category_alternatives=[
            LabelConfidence(alt.label, round(alt.confidence, 6)) for alt in (prediction.alternatives if prediction else ())
        ],
        priority=analysis.priority.value if analysis.priority else None,
        sentiment_polarity=round(analysis.polarity, 6) if analysis.polarity is not None else None,
        team_assignment=assignment,
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
    )


def team_body(team: Team) -> TeamBody:
    assert team.id is not None
    return TeamBody(team.id, team.company_id, team.name, team.category, team.description)


def training_status_body(status: TrainingStatus) -> TrainingStatusBody:
    state = status.state
    return TrainingStatusBody(
        analyses_since_trigger=state.analyses_since_trigger,
        threshold=status.threshold,
        running=state.running,
        running_since=_iso(state.running_since),
        last_triggered_at=_iso(state.last_triggered_at),
        last_error=state.last_error,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None

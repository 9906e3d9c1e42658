"""The record of every analysis: its predictions flattened into columns, and the feedback link."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from adapters.outbound.persistence.sqlalchemy.repositories._table import TableRepository
from adapters.outbound.persistence.sqlalchemy.tables import analyses
from domain.analysis import AnalysisDecisions, TicketAnalysis
from domain.decisions import CategoryReason, Decision
from domain.predictions import CategoryPrediction, LabelScore
from domain.priority import Priority
from domain.routing import RoutingReason, TeamAssignment


class SqlAlchemyAnalysisRepository(TableRepository):
    table = analyses

    async def add(self, analysis: TicketAnalysis) -> TicketAnalysis:
        return replace(analysis, id=await self._insert(_values(analysis)))

    async def get(self, analysis_id: int) -> TicketAnalysis | None:
        row = await self._row(analysis_id)
        return analysis_from_row(row) if row is not None else None

    async def count(self) -> int:
        return await self._count()

    async def link_feedback(self, analysis_id: int, labelled_ticket_id: int) -> None:
        await self._update(analysis_id, {"labelled_ticket_id": labelled_ticket_id, "review_pending": False})

    async def feedback_ticket_id(self, analysis_id: int) -> int | None:
        statement = sa.select(analyses.c.labelled_ticket_id).where(analyses.c.id == analysis_id)
        found = (await self._session.execute(statement)).scalar_one_or_none()
        return int(found) if found is not None else None


def _values(analysis: TicketAnalysis) -> dict[str, Any]:
    category = analysis.category
    assignment = analysis.assignment
    decisions = analysis.decisions
    alternatives = [{"label": a.label, "confidence": a.confidence} for a in category.alternatives] if category else None
    return {
        "company_id": analysis.company_id,
        "description": analysis.description,
        "category": category.label if category else None,
        "category_confidence": category.confidence if category else None,
        "category_alternatives": alternatives,
        "priority": analysis.priority.value if analysis.priority is not None else None,
        "polarity": analysis.polarity,
        "assigned_team_id": assignment.assigned_team_id if assignment else None,
        "need_admin": assignment.need_admin if assignment else None,
        "similarity_score": assignment.similarity_score if assignment else None,
        "routing_reason": assignment.reason.value if assignment else None,
        "model_version": analysis.model_version,
        "created_at": analysis.created_at,
        "category_decision": decisions.category.value if decisions.category else None,
        "category_reason": decisions.category_reason.value if decisions.category_reason else None,
        "team_decision": decisions.team.value if decisions.team else None,
        "suggested_team_id": decisions.suggested_team_id,
        "reasons": list(category.reasons) if category else None,
        "review_pending": decisions.review_pending,
    }


def analysis_from_row(row: sa.Row[Any]) -> TicketAnalysis:
    category = None
    if row.category is not None:
        alternatives = tuple(LabelScore(a["label"], float(a["confidence"])) for a in row.category_alternatives or ())
        confidence = float(row.category_confidence)
        reasons = tuple(str(word) for word in row.reasons or ())
        category = CategoryPrediction(row.category, confidence, row.model_version or "", alternatives, None, reasons)
    assignment = None
    if row.routing_reason is not None:
        reason = RoutingReason(row.routing_reason)
        assignment = TeamAssignment(row.assigned_team_id, bool(row.need_admin), row.similarity_score, reason)
    return TicketAnalysis(
        company_id=row.company_id,
        description=row.description,
        category=category,
        priority=Priority(row.priority) if row.priority is not None else None,
        polarity=row.polarity,
        assignment=assignment,
        model_version=row.model_version,
        created_at=row.created_at,
        id=row.id,
        decisions=decisions_from_row(row),
    )


def decisions_from_row(row: sa.Row[Any]) -> AnalysisDecisions:
    reason = CategoryReason(row.category_reason) if row.category_reason is not None else None
    return AnalysisDecisions(
        category=Decision(row.category_decision) if row.category_decision is not None else None,
        category_reason=reason,
        team=Decision(row.team_decision) if row.team_decision is not None else None,
        suggested_team_id=row.suggested_team_id,
        review_pending=bool(row.review_pending),
        category_answered=reason is not CategoryReason.MONITOR_MODE,
    )

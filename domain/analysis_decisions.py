"""The decisions of one analysis, and the answer they shape (the table "How it decides" in README.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.analysis import AnalysisDecisions
from domain.decision_policy import DecisionPolicy
from domain.decisions import CategoryReason, Decision, category_reason, decide_category, decide_team
from domain.predictions import CategoryPrediction
from domain.routing import RoutingReason, TeamAssignment


@dataclass(frozen=True, slots=True)
class DecidedAnalysis:
    """The assignment as answered (a team assigned only when the team decision is `auto`) and the decisions."""

    assignment: TeamAssignment | None
    decisions: AnalysisDecisions


def decide_analysis(
    prediction: CategoryPrediction | None,
    routed: TeamAssignment | None,
    policy: DecisionPolicy,
    category_from_person: bool = False,
) -> DecidedAnalysis:
    """Decides the category and the team of one analysis.

    - `prediction` None (categorising off): no category decision; `routed` None (routing off): no team decision.
    - `category_from_person`: the category is a person's earlier label of the same text: decided `auto` with
      reason `human_label`, and a team routed by that category gets the reason `human_label` and is `auto`.
    - otherwise the category is `decide_category` with the reason `category_reason`, the team `decide_team`.
    - a team decided `review` is not assigned: the answer needs an admin, and the routed team is only
      suggested (`suggested_team_id`, the routed team in every case).
    - `review_pending`: a decision of a field whose mode answers (not `monitor`) is `review`.
    """
    category_decision: Decision | None = None
    reason: CategoryReason | None = None
    if prediction is not None and category_from_person:
        category_decision, reason = Decision.AUTO, CategoryReason.HUMAN_LABEL
    elif prediction is not None:
        args = (prediction.label, prediction.confidence, prediction.thresholds, policy)
        category_decision, reason = decide_category(*args), category_reason(*args)

    team_decision: Decision | None = None
    answered = routed
    suggested = None
    if routed is not None:
        if category_from_person and routed.reason is RoutingReason.CATEGORY_MATCH:
            routed = replace(routed, reason=RoutingReason.HUMAN_LABEL)
        thresholds = prediction.thresholds if prediction is not None else None
        team_decision = decide_team(routed, prediction, thresholds, policy, category_from_person)
        suggested = routed.assigned_team_id
        answered = routed
        if team_decision is Decision.REVIEW:
            answered = replace(routed, assigned_team_id=None, need_admin=True)

    category_answered = policy.category_mode.answers
    team_answered = policy.team_mode.answers
    pending = (category_answered and category_decision is Decision.REVIEW) or (
        team_answered and team_decision is Decision.REVIEW
    )
    decisions = AnalysisDecisions(
        category=category_decision,
        category_reason=reason,
        team=team_decision,
        suggested_team_id=suggested,
        review_pending=pending,
        category_answered=category_answered,
        team_answered=team_answered,
    )
    return DecidedAnalysis(answered, decisions)

"""Whether a prediction is acted on automatically or left to a person, per company and per field.

The model is right most of the time, not every time, so its answers do not all carry the same authority. A
category or a team is decided `auto` only where the validation split showed that predictions like it are right
at least as often as the company's target precision; everything else is `review`: a suggestion for a person.
"""

from __future__ import annotations

import enum

from domain.decision_policy import DecisionMode, DecisionPolicy
from domain.decision_thresholds import ThresholdTable
from domain.predictions import CategoryPrediction
from domain.routing import RoutingReason, TeamAssignment


class Decision(str, enum.Enum):
    """`auto`: made without a person and may be acted on; `review`: a suggestion a person must confirm."""

    AUTO = "auto"
    REVIEW = "review"


def decide_category(
    label: str, confidence: float, thresholds: ThresholdTable | None, policy: DecisionPolicy
) -> Decision:
    """The category decision:
    - `recommend` or `monitor` mode: review;
    - `autofill` mode: auto when the prediction is trusted (see `is_trusted`), else review.
    """
    if policy.category_mode is not DecisionMode.AUTOFILL:
        return Decision.REVIEW
    return Decision.AUTO if is_trusted(label, confidence, thresholds, policy) else Decision.REVIEW


def decide_team(
    assignment: TeamAssignment | None,
    prediction: CategoryPrediction | None,
    thresholds: ThresholdTable | None,
    policy: DecisionPolicy,
    category_from_person: bool = False,
) -> Decision:
    """The team decision; a team is assigned automatically only when it is `auto`:
    - `recommend` or `monitor` team mode: review;
    - no team found (no assignment, or no team id: no teams, or nothing similar enough): review;
    - routed by a person's earlier label of the same text (`RoutingReason.HUMAN_LABEL`): auto;
    - routed by category match: auto when the category was set by a person (`category_from_person`), or when
      the predicted category is trusted (see `is_trusted`) - whatever the category's own mode, since a
      recommended category can still be confident enough to route on - or when the team's probability is
      trusted (see `is_team_trusted`); else review;
    - routed by a category derived from a category-less team's text (`RoutingReason.DERIVED_CATEGORY_MATCH`): as
      a category match;
    - routed by the team's categories together (`RoutingReason.CATEGORIES_MATCH`): auto only when the team's
      probability is trusted, since the predicted category may be one the team does not take; else review;
    - routed by similarity: auto only when the policy trusts uncalibrated scores, since a similarity has no
      measured precision; else review.
    """
    if policy.team_mode is not DecisionMode.AUTOFILL:
        return Decision.REVIEW
    if assignment is None or assignment.assigned_team_id is None:
        return Decision.REVIEW
    if assignment.reason is RoutingReason.HUMAN_LABEL:
        return Decision.AUTO
    if assignment.reason in (RoutingReason.CATEGORY_MATCH, RoutingReason.DERIVED_CATEGORY_MATCH):
        trusted = category_from_person or (
            prediction is not None and is_trusted(prediction.label, prediction.confidence, thresholds, policy)
        )
        return Decision.AUTO if trusted or is_team_trusted(assignment, thresholds, policy) else Decision.REVIEW
    if assignment.reason is RoutingReason.CATEGORIES_MATCH:
        return Decision.AUTO if is_team_trusted(assignment, thresholds, policy) else Decision.REVIEW
    if assignment.reason is RoutingReason.SIMILARITY and policy.trust_uncalibrated:
        return Decision.AUTO
    return Decision.REVIEW


def is_team_trusted(assignment: TeamAssignment, thresholds: ThresholdTable | None, policy: DecisionPolicy) -> bool:
    """Whether the routed team's probability (`team_confidence`, summed over the labels the team takes) may be
    acted on without a person:
    - no team probability (not routed by category): no;
    - no threshold table (an uncalibrated model): only if the policy trusts uncalibrated models, as `is_trusted`;
    - else: only if it reaches the policy's target precision itself, and is trusted (`is_trusted`) as a
      confidence of the most likely label the team takes (`team_label`).
    """
    if assignment.team_confidence is None or assignment.team_label is None:
        return False
    if thresholds is None:
        return policy.trust_uncalibrated
    # A calibrated probability summed over the labels a team takes is the probability that the team is right. The
    # per-label thresholds cannot be read as they are for such a sum: each was read off top-1 predictions of one
    # label, where those just above the threshold are right less often than the target, made up for by the surer
    # ones above them. Tickets split between labels are mostly unsure ones with no such surer company, so each must
    # reach the target on its own: the decisions this adds are then right at least as often as the target, and so
    # is every automatic team decision together. The label's own threshold must be reached too, so a label never
    # trusted at the target (none), or trusted only above it (an over-confident label), stays so in a sum.
    confidence = assignment.team_confidence
    reaches_target = round(confidence, 6) >= policy.target_precision
    return reaches_target and is_trusted(assignment.team_label, confidence, thresholds, policy)


class CategoryReason(str, enum.Enum):
    """Why the category decision is what it is (see `category_reason`)."""

    HUMAN_LABEL = "human_label"
    ABOVE_THRESHOLD = "above_threshold"
    BELOW_THRESHOLD = "below_threshold"
    NEVER_AUTOMATIC = "never_automatic"
    UNCALIBRATED_MODEL = "uncalibrated_model"
    TRUSTED_UNCALIBRATED = "trusted_uncalibrated"
    RECOMMEND_MODE = "recommend_mode"
    MONITOR_MODE = "monitor_mode"


def category_reason(
    label: str, confidence: float, thresholds: ThresholdTable | None, policy: DecisionPolicy
) -> CategoryReason:
    """Why `decide_category` decided as it did, checked in this order:
    - `monitor` mode: monitor_mode; `recommend` mode: recommend_mode;
    - no threshold table: trusted_uncalibrated when the policy trusts uncalibrated models, else
      uncalibrated_model;
    - the label has no threshold at the target precision: never_automatic;
    - the confidence reaches the threshold: above_threshold; else below_threshold.
    (`human_label` is given by the caller when a person's label answered instead of the model.)
    """
    if policy.category_mode is DecisionMode.MONITOR:
        return CategoryReason.MONITOR_MODE
    if policy.category_mode is DecisionMode.RECOMMEND:
        return CategoryReason.RECOMMEND_MODE
    if thresholds is None:
        return CategoryReason.TRUSTED_UNCALIBRATED if policy.trust_uncalibrated else CategoryReason.UNCALIBRATED_MODEL
    if thresholds.threshold_for(label, policy.target_precision) is None:
        return CategoryReason.NEVER_AUTOMATIC
    allowed = thresholds.allows(label, confidence, policy.target_precision)
    return CategoryReason.ABOVE_THRESHOLD if allowed else CategoryReason.BELOW_THRESHOLD


def is_trusted(label: str, confidence: float, thresholds: ThresholdTable | None, policy: DecisionPolicy) -> bool:
    """Whether a predicted label may be acted on without a person:
    - no threshold table (an uncalibrated model, such as the zero-shot classifier): only if the policy
      trusts uncalibrated models;
    - else: only if the label has a threshold at the policy's target precision and the confidence is at least
      that threshold, both rounded to 6 digits (a label without a threshold is never trusted).
    `confidence` must be on the scale the table was built on: the calibrated one when the model version has a
    calibrator.
    """
    if thresholds is None:
        return policy.trust_uncalibrated
    return thresholds.allows(label, confidence, policy.target_precision)

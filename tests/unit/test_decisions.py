"""Each decision mode and each route gives the decision the rules promise."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.decision_policy import DecisionMode, DecisionPolicy
from domain.decision_thresholds import ThresholdTable, ValidationPoint
from domain.decisions import Decision, decide_category, decide_team, is_trusted
from domain.errors import InvalidInput
from domain.predictions import CategoryPrediction
from domain.routing import RoutingReason, TeamAssignment

# Hardware: 20 right predictions from 0.80 up, so its threshold is 0.8 at any target.
# Access: its most confident predictions are wrong half the time, so it never reaches 0.95.
TABLE = ThresholdTable.from_points(
    [ValidationPoint("Hardware", 0.80 + k / 100, True) for k in range(20)]
    + [ValidationPoint("Access", 0.80 + k / 100, k % 2 == 0) for k in range(20)]
)
AUTOFILL = DecisionPolicy()
CATEGORY_MATCH = TeamAssignment(7, False, 0.4, RoutingReason.CATEGORY_MATCH)
SIMILAR = TeamAssignment(7, False, 0.4, RoutingReason.SIMILARITY)


def _prediction(label: str, confidence: float) -> CategoryPrediction:
    return CategoryPrediction(label, confidence, "v1")


# --- the policy ----------------------------------------------------------------------------------------------


def test_policy_defaults_to_autofill_at_the_default_target_and_accepts_mode_strings() -> None:
    assert AUTOFILL == DecisionPolicy(DecisionMode.AUTOFILL, DecisionMode.AUTOFILL, 0.95, False)
    policy = DecisionPolicy("recommend", "monitor", 1)
    assert policy.category_mode is DecisionMode.RECOMMEND and policy.team_mode is DecisionMode.MONITOR
    assert policy.target_precision == 1.0


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"category_mode": "auto"}, "category_mode"),
        ({"team_mode": None}, "team_mode"),
        ({"team_mode": ["autofill"]}, "team_mode"),
        ({"target_precision": 0.0}, "target_precision"),
        ({"target_precision": 1.01}, "target_precision"),
        ({"target_precision": math.nan}, "target_precision"),
        ({"target_precision": "0.9"}, "target_precision"),
        ({"target_precision": True}, "target_precision"),
        ({"trust_uncalibrated": "yes"}, "trust_uncalibrated"),
    ],
)
def test_policy_refuses_meaningless_values_naming_the_field(arguments: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        DecisionPolicy(**arguments)
    assert raised.value.field == field


def test_only_monitor_mode_hides_the_prediction_from_the_answer() -> None:
    assert DecisionMode.AUTOFILL.answers and DecisionMode.RECOMMEND.answers and not DecisionMode.MONITOR.answers


# --- the category --------------------------------------------------------------------------------------------


def test_autofill_acts_from_the_label_threshold_up() -> None:
    assert decide_category("Hardware", 0.8, TABLE, AUTOFILL) is Decision.AUTO
    assert decide_category("Hardware", 0.95, TABLE, AUTOFILL) is Decision.AUTO
    assert decide_category("Hardware", 0.79, TABLE, AUTOFILL) is Decision.REVIEW


def test_a_label_that_never_reaches_the_target_or_is_unknown_is_always_reviewed() -> None:
    assert decide_category("Access", 1.0, TABLE, AUTOFILL) is Decision.REVIEW
    assert decide_category("Purchase", 1.0, TABLE, AUTOFILL) is Decision.REVIEW
    # At a target Access does reach (half right), it is automatic.
    assert decide_category("Access", 0.9, TABLE, DecisionPolicy(target_precision=0.5)) is Decision.AUTO


@given(st.sampled_from(["Hardware", "Access", "Purchase"]), st.floats(0.0, 1.0), st.booleans())
def test_recommend_and_monitor_never_act(label: str, confidence: float, trust: bool) -> None:
    for mode in (DecisionMode.RECOMMEND, DecisionMode.MONITOR):
        policy = DecisionPolicy(category_mode=mode, trust_uncalibrated=trust)
        assert decide_category(label, confidence, TABLE, policy) is Decision.REVIEW
        assert decide_category(label, confidence, None, policy) is Decision.REVIEW


@given(st.floats(0.0, 1.0))
def test_an_uncalibrated_model_decides_automatically_only_when_the_company_opts_in(confidence: float) -> None:
    assert decide_category("Hardware", confidence, None, AUTOFILL) is Decision.REVIEW
    assert decide_category("Hardware", confidence, None, DecisionPolicy(trust_uncalibrated=True)) is Decision.AUTO


def test_trusting_uncalibrated_models_does_not_bypass_measured_thresholds() -> None:
    trusting = DecisionPolicy(trust_uncalibrated=True)
    assert decide_category("Hardware", 0.5, TABLE, trusting) is Decision.REVIEW
    assert not is_trusted("Access", 1.0, TABLE, trusting)


# --- the team ------------------------------------------------------------------------------------------------


def test_a_category_match_is_automatic_when_the_category_clears_its_threshold() -> None:
    assert decide_team(CATEGORY_MATCH, _prediction("Hardware", 0.9), TABLE, AUTOFILL) is Decision.AUTO
    assert decide_team(CATEGORY_MATCH, _prediction("Hardware", 0.6), TABLE, AUTOFILL) is Decision.REVIEW
    assert decide_team(CATEGORY_MATCH, _prediction("Access", 0.99), TABLE, AUTOFILL) is Decision.REVIEW
    assert decide_team(CATEGORY_MATCH, None, TABLE, AUTOFILL) is Decision.REVIEW


@pytest.mark.parametrize("category_mode", list(DecisionMode))
def test_the_team_follows_the_category_confidence_whatever_the_category_mode(category_mode: DecisionMode) -> None:
    policy = DecisionPolicy(category_mode=category_mode)
    assert decide_team(CATEGORY_MATCH, _prediction("Hardware", 0.9), TABLE, policy) is Decision.AUTO
    assert decide_team(CATEGORY_MATCH, _prediction("Hardware", 0.6), TABLE, policy) is Decision.REVIEW


def test_a_category_set_by_a_person_routes_automatically() -> None:
    low = _prediction("Access", 0.1)
    assert decide_team(CATEGORY_MATCH, low, TABLE, AUTOFILL, category_from_person=True) is Decision.AUTO
    assert decide_team(CATEGORY_MATCH, None, None, AUTOFILL, category_from_person=True) is Decision.AUTO


def test_a_similarity_route_is_automatic_only_for_a_company_trusting_uncalibrated_scores() -> None:
    confident = _prediction("Hardware", 0.99)
    assert decide_team(SIMILAR, confident, TABLE, AUTOFILL) is Decision.REVIEW
    assert decide_team(SIMILAR, confident, TABLE, DecisionPolicy(trust_uncalibrated=True)) is Decision.AUTO


def test_an_uncalibrated_category_match_follows_the_opt_in() -> None:
    guess = _prediction("Hardware", 0.99)
    assert decide_team(CATEGORY_MATCH, guess, None, AUTOFILL) is Decision.REVIEW
    assert decide_team(CATEGORY_MATCH, guess, None, DecisionPolicy(trust_uncalibrated=True)) is Decision.AUTO


@pytest.mark.parametrize(
    "assignment",
    [
        None,
        TeamAssignment(None, True, 0.05, RoutingReason.BELOW_SIMILARITY_THRESHOLD),
        TeamAssignment(None, True, None, RoutingReason.NO_TEAMS),
    ],
)
def test_no_team_found_is_always_reviewed(assignment: TeamAssignment | None) -> None:
    trusting = DecisionPolicy(trust_uncalibrated=True)
    assert decide_team(assignment, _prediction("Hardware", 0.99), TABLE, trusting) is Decision.REVIEW
    assert decide_team(assignment, None, None, trusting, category_from_person=True) is Decision.REVIEW


@pytest.mark.parametrize("team_mode", [DecisionMode.RECOMMEND, DecisionMode.MONITOR])
def test_recommend_and_monitor_team_modes_never_assign(team_mode: DecisionMode) -> None:
    policy = DecisionPolicy(team_mode=team_mode, trust_uncalibrated=True)
    assert decide_team(CATEGORY_MATCH, _prediction("Hardware", 0.99), TABLE, policy) is Decision.REVIEW
    assert decide_team(CATEGORY_MATCH, None, None, policy, category_from_person=True) is Decision.REVIEW
    assert decide_team(SIMILAR, None, None, policy) is Decision.REVIEW

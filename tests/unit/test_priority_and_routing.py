from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.companies import Team
from domain.predictions import CategoryPrediction
from domain.priority import Priority, PriorityThresholds
from domain.routing import RoutingReason, cosine_similarity, route_ticket
from tests.settings_defaults import priority_thresholds, routing_policy


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (-1.0, Priority.HIGH),
        (-0.31, Priority.HIGH),
        (-0.3, Priority.MEDIUM),
        (0.0, Priority.MEDIUM),
        (0.29, Priority.MEDIUM),
        (0.3, Priority.LOW),
        (1.0, Priority.LOW),
    ],
)
def test_seed_priority_thresholds(polarity: float, expected: Priority) -> None:
    assert priority_thresholds().classify(polarity) is expected


@given(st.floats(-1, 1), st.floats(-1, 1))
def test_priority_never_rises_as_polarity_grows(a: float, b: float) -> None:
    order = {Priority.HIGH: 2, Priority.MEDIUM: 1, Priority.LOW: 0}
    low, high = sorted((a, b))
    thresholds = priority_thresholds()
    assert order[thresholds.classify(low)] >= order[thresholds.classify(high)]


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        PriorityThresholds(high_below=0.5, medium_below=0.1)


@given(st.lists(st.floats(0.001, 10) | st.floats(-10, -0.001), min_size=1, max_size=8))
def test_cosine_of_a_vector_with_itself_is_one(values: list[float]) -> None:
    assert cosine_similarity(tuple(values), tuple(values)) == pytest.approx(1.0)


def test_cosine_of_mismatched_or_zero_vectors_is_zero() -> None:
    assert cosine_similarity((1.0, 0.0), (1.0,)) == 0.0
    assert cosine_similarity((0.0, 0.0), (0.0, 0.0)) == 0.0


def _teams() -> list[Team]:
    return [
        Team(1, 1, "Hardware desk", "Hardware", "", (1.0, 0.0, 0.0)),
        Team(2, 1, "Identity", "Access", "", (0.0, 1.0, 0.0)),
    ]


def _prediction(label: str, confidence: float) -> CategoryPrediction:
    return CategoryPrediction(label, confidence, "v")


def test_confident_category_owned_by_a_team_wins_even_when_less_similar() -> None:
    result = route_ticket((0.1, 0.9, 0.0), _teams(), _prediction("Hardware", 0.8), routing_policy())
    assert (result.assigned_team_id, result.reason, result.need_admin) == (1, RoutingReason.CATEGORY_MATCH, False)


def test_unconfident_category_falls_back_to_similarity() -> None:
    result = route_ticket((0.1, 0.9, 0.0), _teams(), _prediction("Hardware", 0.4), routing_policy())
    assert (result.assigned_team_id, result.reason) == (2, RoutingReason.SIMILARITY)


def test_nothing_similar_enough_needs_an_admin() -> None:
    result = route_ticket((0.0, 0.0, 1.0), _teams(), _prediction("Storage", 0.9), routing_policy())
    assert result.need_admin and result.assigned_team_id is None
    assert result.reason is RoutingReason.BELOW_SIMILARITY_THRESHOLD


def test_company_without_teams_needs_an_admin() -> None:
    result = route_ticket((1.0,), [], _prediction("Hardware", 0.9), routing_policy())
    assert result.need_admin and result.reason is RoutingReason.NO_TEAMS


def test_category_match_is_case_insensitive() -> None:
    result = route_ticket((0.0, 1.0, 0.0), _teams(), _prediction("hardware", 0.9), routing_policy())
    assert result.assigned_team_id == 1


def test_prediction_from_scores_ranks_and_breaks_ties_by_name() -> None:
    prediction = CategoryPrediction.from_scores({"b": 0.4, "a": 0.4, "c": 0.2}, "v", keep=2)
    assert prediction.label == "a"
    assert [alt.label for alt in prediction.alternatives] == ["b", "c"]

"""A ticket unsure between two categories one team takes goes to that team: the team's categories together."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from domain.companies import Team
from domain.decision_policy import DecisionPolicy
from domain.decision_thresholds import ThresholdTable, ValidationPoint
from domain.decisions import Decision, decide_team
from domain.predictions import CategoryPrediction
from domain.routing import RoutingReason, TeamAssignment, needs_embedding, route_ticket, team_probability
from tests.settings_defaults import routing_policy
from tests.unit.conftest import World
from tests.unit.fakes import FakeClassifier, FakeEmbedder
from tests.unit.http_world import http_world

# Hardware: 20 right predictions from 0.80 up, so its threshold is 0.8 at any target.
# Access: its most confident predictions are wrong half the time, so it never reaches 0.95.
TABLE = ThresholdTable.from_points(
    [ValidationPoint("Hardware", 0.80 + k / 100, True) for k in range(20)]
    + [ValidationPoint("Access", 0.80 + k / 100, k % 2 == 0) for k in range(20)]
)
AUTOFILL = DecisionPolicy()
EQUIPMENT = Team(1, 1, "Equipment", "Hardware", "laptops and buying them", extra_categories=("Purchase",))
IDENTITY = Team(2, 1, "Identity", "Access", "passwords")
SPLIT = {"Hardware": 0.55, "Purchase": 0.40, "Access": 0.05}


def _prediction(scores: dict[str, float]) -> CategoryPrediction:
    return CategoryPrediction.from_scores(scores, "v", thresholds=TABLE)


def _decided(assignment: TeamAssignment, prediction: CategoryPrediction) -> Decision:
    return decide_team(assignment, prediction, prediction.thresholds, AUTOFILL)


# --- routing ------------------------------------------------------------------------------------------------------


def test_a_split_between_two_categories_of_one_team_is_decided_by_the_teams_probability() -> None:
    prediction = _prediction(SPLIT)  # Hardware confident enough to route on, not to trust (threshold 0.8)
    routed = route_ticket(None, [EQUIPMENT, IDENTITY], prediction, routing_policy())
    assert routed == TeamAssignment(1, False, None, RoutingReason.CATEGORY_MATCH, 0.95, "Hardware")
    assert _decided(routed, prediction) is Decision.AUTO


def test_an_unsure_split_between_two_categories_of_one_team_routes_to_it_without_an_embedding() -> None:
    teams = [EQUIPMENT, IDENTITY]
    sure_team = _prediction({"Hardware": 0.49, "Purchase": 0.48, "Access": 0.03})
    assert not needs_embedding(teams, sure_team, routing_policy())
    routed = route_ticket(None, teams, sure_team, routing_policy())
    assert routed == TeamAssignment(1, False, None, RoutingReason.CATEGORIES_MATCH, 0.97, "Hardware")
    assert _decided(routed, sure_team) is Decision.AUTO
    unsure_team = _prediction({"Hardware": 0.45, "Purchase": 0.40, "Access": 0.15})
    routed = route_ticket(None, teams, unsure_team, routing_policy())
    assert (routed.reason, routed.team_confidence) == (RoutingReason.CATEGORIES_MATCH, 0.85)
    assert _decided(routed, unsure_team) is Decision.REVIEW


def test_the_categories_together_count_even_when_the_predicted_one_is_confident_but_nobody_takes_it() -> None:
    prediction = _prediction({"Miscellaneous": 0.5, "Purchase": 0.3, "Hardware": 0.2})
    routed = route_ticket(None, [EQUIPMENT, IDENTITY], prediction, routing_policy())
    assert (routed.assigned_team_id, routed.reason) == (1, RoutingReason.CATEGORIES_MATCH)
    assert (routed.team_confidence, routed.team_label) == (0.5, "Purchase")


def test_a_label_just_short_of_the_minimum_alone_is_still_not_routed_by_category() -> None:
    policy = routing_policy()
    alone = CategoryPrediction("Hardware", policy.category_confidence_min - 1e-9, "v")
    assert needs_embedding([EQUIPMENT, IDENTITY], alone, policy)
    routed = route_ticket((1.0,), [EQUIPMENT, IDENTITY], alone, policy)
    assert routed.reason is RoutingReason.BELOW_SIMILARITY_THRESHOLD and routed.team_confidence is None


def test_a_split_between_categories_of_different_teams_still_goes_to_similarity() -> None:
    hardware_only = Team(1, 1, "Desk", "Hardware", "laptops", FakeEmbedder()._vector("laptops"))
    identity = Team(2, 1, "Identity", "Access", "passwords", FakeEmbedder()._vector("passwords"))
    prediction = _prediction({"Hardware": 0.45, "Access": 0.40, "Storage": 0.15})
    assert needs_embedding([hardware_only, identity], prediction, routing_policy())
    routed = route_ticket(FakeEmbedder()._vector("laptops"), [hardware_only, identity], prediction, routing_policy())
    assert (routed.assigned_team_id, routed.reason, routed.team_confidence) == (1, RoutingReason.SIMILARITY, None)
    assert _decided(routed, prediction) is Decision.REVIEW


def test_a_confident_category_of_one_team_split_with_another_teams_is_left_for_review() -> None:
    hardware_only = Team(1, 1, "Desk", "Hardware", "laptops")
    purchasing = Team(3, 1, "Procurement", "Purchase", "orders")
    prediction = _prediction(SPLIT)
    routed = route_ticket(None, [hardware_only, IDENTITY, purchasing], prediction, routing_policy())
    assert routed == TeamAssignment(1, False, None, RoutingReason.CATEGORY_MATCH, 0.55, "Hardware")
    assert _decided(routed, prediction) is Decision.REVIEW


def test_labels_derived_for_a_team_without_a_category_add_up_but_an_owned_label_is_its_owners() -> None:
    payroll = Team(3, 1, "People", None, "pay and holidays")
    derived = {3: ("HR Support", "Miscellaneous")}
    prediction = _prediction({"HR Support": 0.3, "Miscellaneous": 0.25, "Access": 0.25, "Hardware": 0.2})
    routed = route_ticket(None, [payroll, IDENTITY], prediction, routing_policy(), derived)
    assert (routed.assigned_team_id, routed.reason, routed.team_confidence) == (3, RoutingReason.CATEGORIES_MATCH, 0.55)
    owner_of_misc = Team(4, 1, "Service desk", "Miscellaneous", "anything")
    share = team_probability(payroll, [payroll, owner_of_misc], prediction, derived)
    assert share is not None and (share.label, share.confidence) == ("HR Support", 0.3)


def test_teams_taking_the_same_categories_are_told_apart_by_similarity() -> None:
    embedder = FakeEmbedder()
    teams = [
        Team(1, 1, "Laptops", "Hardware", "laptop", embedder._vector("laptop"), ("Purchase",)),
        Team(2, 1, "Printers", "Purchase", "printer toner", embedder._vector("printer toner"), ("Hardware",)),
    ]
    prediction = _prediction({"Hardware": 0.49, "Purchase": 0.48, "Access": 0.03})
    assert needs_embedding(teams, prediction, routing_policy())
    routed = route_ticket(embedder._vector("printer toner"), teams, prediction, routing_policy())
    assert (routed.assigned_team_id, routed.reason, routed.team_confidence) == (2, RoutingReason.CATEGORIES_MATCH, 0.97)


# --- the team decision ---------------------------------------------------------------------------------------------


def test_the_team_is_decided_by_its_probability_when_the_category_is_unsure() -> None:
    prediction = _prediction({"Hardware": 0.45, "Purchase": 0.40, "Access": 0.15})
    together = TeamAssignment(1, False, None, RoutingReason.CATEGORIES_MATCH, 0.95, "Hardware")
    assert _decided(together, prediction) is Decision.AUTO
    by_category = TeamAssignment(1, False, None, RoutingReason.CATEGORY_MATCH, 0.97, "Hardware")
    assert _decided(by_category, _prediction({"Hardware": 0.7, "Purchase": 0.27, "Access": 0.03})) is Decision.AUTO


def test_a_team_probability_must_reach_the_target_itself_and_its_labels_threshold() -> None:
    prediction = _prediction(SPLIT)
    # 0.9 clears Hardware's threshold (0.8), as a confident Hardware would, but not the target itself.
    below_target = TeamAssignment(1, False, None, RoutingReason.CATEGORIES_MATCH, 0.9, "Hardware")
    assert _decided(below_target, prediction) is Decision.REVIEW
    never_trusted = TeamAssignment(2, False, None, RoutingReason.CATEGORIES_MATCH, 0.99, "Access")
    assert _decided(never_trusted, prediction) is Decision.REVIEW
    unknown = TeamAssignment(1, False, None, RoutingReason.CATEGORIES_MATCH, 0.99, "Purchase")  # no threshold
    assert _decided(unknown, prediction) is Decision.REVIEW
    lower_target = DecisionPolicy(target_precision=0.9)
    assert decide_team(below_target, prediction, TABLE, lower_target) is Decision.AUTO


def test_without_thresholds_the_policy_decides_as_for_a_category() -> None:
    together = TeamAssignment(1, False, None, RoutingReason.CATEGORIES_MATCH, 0.95, "Hardware")
    prediction = CategoryPrediction.from_scores(SPLIT, "zero-shot")
    assert decide_team(together, prediction, None, AUTOFILL) is Decision.REVIEW
    assert decide_team(together, prediction, None, DecisionPolicy(trust_uncalibrated=True)) is Decision.AUTO
    assert decide_team(together, prediction, TABLE, DecisionPolicy(team_mode="recommend")) is Decision.REVIEW


# --- through the service -------------------------------------------------------------------------------------------


async def test_the_team_is_assigned_while_the_category_waits_for_review() -> None:
    world = World()
    desk = world.uow.store.teams[10]
    world.uow.store.teams[10] = Team(10, 1, desk.name, "Hardware", desk.description, desk.embedding, ("Purchase",))
    world.classifier.scores = SPLIT  # the fake's thresholds: 0.9 for Hardware, none for Purchase
    analysis = await world.analyze.execute("a new docking station, or is mine broken?", 1)
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id == 10
    assert analysis.assignment.reason is RoutingReason.CATEGORY_MATCH
    assert (analysis.decisions.category, analysis.decisions.team) == (Decision.REVIEW, Decision.AUTO)
    assert world.embedder.calls == []


async def test_the_answer_carries_the_teams_probability() -> None:
    world = http_world(keys=False)
    classifier = world.container.classifier()
    assert isinstance(classifier, FakeClassifier)
    classifier.scores = SPLIT
    async with AsyncTestClient(app=world.app) as client:
        assert (await client.post("/api/companies", json={"name": "Initech"})).status_code == 201
        team = await client.post(
            "/api/companies/1/teams", json={"name": "Desk", "categories": ["Hardware", "Purchase"]}
        )
        answer = (await client.post("/api/analyze", json={"description": "docking station", "company_id": 1})).json()
    assignment = answer["team_assignment"]
    assert (assignment["assigned_team_id"], assignment["reason"]) == (team.json()["id"], "category_match")
    assert (assignment["team_confidence"], assignment["bert_confidence"]) == (0.95, 0.55)
    assert (answer["category_decision"], answer["team_decision"]) == ("review", "auto")

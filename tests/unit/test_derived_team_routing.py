"""Routing with at most one encoder pass per ticket, and teams without a category routed by a derived one."""

from __future__ import annotations

import pytest

from application.services.served_team_readings import ServedTeamReadings, derived_categories, teams_in_model_space
from domain.companies import Team
from domain.decision_policy import DecisionPolicy
from domain.decisions import Decision, decide_team
from domain.predictions import CategoryPrediction
from domain.routing import RoutingReason, TeamAssignment, needs_embedding, route_ticket
from tests.settings_defaults import DEFAULTS, routing_policy
from tests.unit.conftest import World
from tests.unit.fakes import FakeClassifier, FakeEmbedder

PAYROLL = Team(12, 1, "Payroll", None, "salary payslips and pay questions")


def _add_team(world: World, team: Team) -> None:
    world.uow.store.teams[team.id or 0] = Team(
        team.id,
        team.company_id,
        team.name,
        team.category,
        team.description,
        world.embedder._vector(team.embedding_text()),
    )


async def test_a_confident_category_a_team_owns_routes_without_the_embedder(world: World) -> None:
    analysis = await world.analyze.execute("My laptop is broken", 1)
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id == 10
    assert analysis.assignment.reason is RoutingReason.CATEGORY_MATCH
    assert world.classifier.calls == 1
    assert world.embedder.calls == []


async def test_a_category_no_team_owns_falls_back_to_similarity_with_one_embedding(world: World) -> None:
    analysis = await world.analyze.execute("cannot reach vpn login", 1)  # Miscellaneous: no team owns it
    assert analysis.assignment is not None and analysis.assignment.reason is RoutingReason.SIMILARITY
    assert analysis.decisions.suggested_team_id == 11
    assert world.embedder.calls == [["cannot reach vpn login"]]


async def test_an_unconfident_category_falls_back_to_similarity(world: World) -> None:
    world.classifier.confidence = 0.4  # Hardware still, below BERT_CONF_MIN
    analysis = await world.analyze.execute("laptop screens broken", 1)
    assert analysis.category is not None and analysis.category.label == "Hardware"
    assert analysis.assignment is not None and analysis.assignment.reason is RoutingReason.SIMILARITY
    assert analysis.decisions.suggested_team_id == 10
    assert world.embedder.calls == [["laptop screens broken"]]


async def test_a_batch_embeds_only_the_tickets_that_need_similarity(world: World) -> None:
    answers = await world.analyze.execute_many(["laptop broken", "printer queue stuck", "password expired"], 1)
    reasons = [a.assignment.reason for a in answers if not isinstance(a, Exception) and a.assignment is not None]
    assert reasons == [RoutingReason.CATEGORY_MATCH, RoutingReason.SIMILARITY, RoutingReason.CATEGORY_MATCH]
    assert world.embedder.calls == [["printer queue stuck"]]


async def test_a_description_only_team_is_routed_by_its_derived_category(world: World) -> None:
    _add_team(world, PAYROLL)
    analysis = await world.analyze.execute("my salary is wrong this month", 1)
    assert analysis.category is not None and analysis.category.label == "HR Support"
    assert analysis.assignment is not None and analysis.assignment.reason is RoutingReason.DERIVED_CATEGORY_MATCH
    assert analysis.assignment.assigned_team_id == 12  # trusted category: decided auto
    assert analysis.decisions.team is Decision.AUTO
    assert PAYROLL.embedding_text() in world.classifier.texts
    assert world.embedder.calls == []


async def test_an_untrusted_category_only_suggests_the_derived_team() -> None:
    world = World()
    world.classifier.thresholds = None  # an uncalibrated model, such as the zero-shot classifier
    _add_team(world, PAYROLL)
    analysis = await world.analyze.execute("my salary is wrong this month", 1)
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id is None
    assert analysis.assignment.reason is RoutingReason.DERIVED_CATEGORY_MATCH
    assert analysis.decisions.team is Decision.REVIEW and analysis.decisions.suggested_team_id == 12


async def test_an_explicit_team_category_wins_over_a_derived_one(world: World) -> None:
    _add_team(world, Team(12, 1, "Laptop fixers", None, "broken laptop repairs"))  # derives Hardware too
    analysis = await world.analyze.execute("laptop broken", 1)
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id == 10
    assert analysis.assignment.reason is RoutingReason.CATEGORY_MATCH


async def test_derived_categories_are_kept_until_the_served_version_or_the_team_changes(world: World) -> None:
    _add_team(world, PAYROLL)
    team_text = PAYROLL.embedding_text()

    def team_classifications() -> int:
        return world.classifier.texts.count(team_text)

    await world.analyze.execute("my salary is wrong", 1)
    await world.analyze.execute("salary missing", 1)
    assert team_classifications() == 1

    world.classifier.version = "fake-v2"  # a newly served version
    await world.analyze.execute("salary late", 1)
    await world.analyze.execute("salary late again", 1)
    assert team_classifications() == 2

    _add_team(world, Team(12, 1, "Payroll", None, "salary payslips, pay and pensions"))  # the team changed
    analysis = await world.analyze.execute("salary pension", 1)
    assert analysis.assignment is not None and analysis.assignment.reason is RoutingReason.DERIVED_CATEGORY_MATCH
    assert world.classifier.texts.count(world.uow.store.teams[12].embedding_text()) == 1


async def test_the_cache_classifies_only_stale_teams() -> None:
    classifier = FakeClassifier()
    readings = ServedTeamReadings(classifier, DEFAULTS.team_evidence_prior)
    teams = [PAYROLL, Team(13, 1, "Desk", None, "laptop repairs"), Team(10, 1, "Desk support", "Hardware", "")]

    async def derived(of: list[Team], version: str | None) -> dict[int, str]:
        return derived_categories(of, await readings.for_teams(of, version))

    assert await derived(teams, "fake-v1") == {12: "HR Support", 13: "Hardware"}
    assert classifier.calls == 3  # every team is read once: its label, and its vector when the model gives one
    assert await derived(teams, None) == {12: "HR Support", 13: "Hardware"}  # any version will do
    assert await derived(teams, "fake-v1") == {12: "HR Support", 13: "Hardware"}
    assert classifier.calls == 3
    moved = [PAYROLL, Team(13, 1, "Desk", None, "password resets")]
    assert await derived(moved, "fake-v1") == {12: "HR Support", 13: "Access"}
    assert classifier.calls == 4


def _model_space(text: str) -> tuple[float, ...]:
    """A stand-in for a fine-tuned encoder's space, unlike the embedder's: words hashed into other slots."""
    return FakeEmbedder()._vector(" ".join(word[::-1] for word in text.lower().replace(".", " ").split()))


async def test_a_ticket_the_model_gave_a_vector_is_routed_in_its_space_without_the_embedder() -> None:
    world = World()
    world.classifier.vectors = _model_space
    first = await world.analyze.execute("cannot reach vpn login", 1)  # Miscellaneous: no team owns it
    assert first.assignment is not None and first.assignment.reason is RoutingReason.SIMILARITY
    assert first.decisions.suggested_team_id == 11
    expected = max(
        sum(
            a * b for a, b in zip(_model_space("cannot reach vpn login"), _model_space(t.embedding_text()), strict=True)
        )
        for t in world.uow.store.teams.values()
    )
    assert first.assignment.similarity_score == pytest.approx(expected, abs=1e-6)
    batch = await world.analyze.execute_many(["printers queue stuck", "laptop broken", "vpn token login"], 1)
    assert [a.decisions.suggested_team_id for a in batch if not isinstance(a, Exception)] == [10, 10, 11]
    assert world.embedder.calls == []  # one pass per ticket: the classifier's
    team_texts = [team.embedding_text() for team in world.uow.store.teams.values()]
    assert sorted(text for text in world.classifier.texts if text in team_texts) == sorted(team_texts)


async def test_team_vectors_of_another_version_are_never_compared_with_a_ticket_vector() -> None:
    classifier = FakeClassifier(vectors=_model_space)
    teams = [Team(10, 1, "Desk support", "Hardware", "laptops"), Team(11, 1, "Identity", "Access", "vpn")]
    readings = await ServedTeamReadings(classifier, DEFAULTS.team_evidence_prior).for_teams(teams, "fake-v1")
    placed = teams_in_model_space(teams, readings, "fake-v1")
    assert placed is not None and [t.embedding for t in placed] == [_model_space(t.embedding_text()) for t in teams]
    assert teams_in_model_space(teams, readings, "fake-v2") is None
    assert teams_in_model_space([*teams, Team(14, 1, "New", None, "unread")], readings, "fake-v1") is None
    assert (
        teams_in_model_space(
            teams,
            await ServedTeamReadings(FakeClassifier(), DEFAULTS.team_evidence_prior).for_teams(teams, None),
            "fake-v1",
        )
        is None
    )


async def test_a_ticket_without_a_model_vector_is_embedded_once(world: World) -> None:
    world.classifier.vectors = None  # the zero-shot classifier, or a linear-only version
    await world.analyze.execute("cannot reach vpn login", 1)
    assert world.embedder.calls == [["cannot reach vpn login"]]


def _prediction(label: str, confidence: float = 0.9) -> CategoryPrediction:
    return CategoryPrediction(label, confidence, "v")


async def test_several_owners_of_a_category_are_told_apart_by_similarity() -> None:
    embedder = FakeEmbedder()
    teams = [
        Team(t.id, 1, t.name, t.category, t.description, embedder._vector(t.embedding_text()))
        for t in (Team(1, 1, "Printers", "Hardware", "printer toner"), Team(2, 1, "Laptops", "Hardware", "laptop"))
    ]
    policy = routing_policy()
    assert needs_embedding(teams, _prediction("Hardware"), policy)
    assert not needs_embedding(teams[:1], _prediction("Hardware"), policy)
    assert not needs_embedding([], _prediction("Hardware"), policy)
    routed = route_ticket(embedder._vector("laptop"), teams, _prediction("Hardware"), policy)
    assert routed.assigned_team_id == 2 and routed.reason is RoutingReason.CATEGORY_MATCH
    with pytest.raises(ValueError):
        route_ticket(None, teams, _prediction("Hardware"), policy)


def test_one_owner_routes_without_an_embedding_and_with_no_similarity_score() -> None:
    teams = [Team(1, 1, "Payroll", None, "pay"), Team(2, 1, "Desk", "Hardware", "laptops")]
    routed = route_ticket(None, teams, _prediction("HR Support"), routing_policy(), {1: "HR Support"})
    assert routed == TeamAssignment(1, False, None, RoutingReason.DERIVED_CATEGORY_MATCH, 0.9, "HR Support")
    below = route_ticket((1.0,), teams, _prediction("HR Support", 0.2), routing_policy(), {1: "HR Support"})
    assert below.reason is not RoutingReason.DERIVED_CATEGORY_MATCH


@pytest.mark.parametrize(("trusted", "expected"), [(True, Decision.AUTO), (False, Decision.REVIEW)])
def test_a_derived_category_match_is_decided_like_a_category_match(trusted: bool, expected: Decision) -> None:
    routed = TeamAssignment(1, False, None, RoutingReason.DERIVED_CATEGORY_MATCH)
    policy = DecisionPolicy(trust_uncalibrated=trusted)
    assert decide_team(routed, _prediction("HR Support"), None, policy) is expected

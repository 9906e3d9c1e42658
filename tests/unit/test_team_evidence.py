"""Routing that does not hang on how a team was described: team evidence from feedback, and several categories."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application.use_cases.labelled_tickets import Feedback, SubmitFeedback
from domain.companies import Team, team_categories
from domain.errors import InvalidInput
from domain.predictions import CategoryPrediction
from domain.routing import RoutingReason, route_ticket
from domain.team_evidence import TeamEvidence, blend_vectors, derive_category, evidence_weight
from tests.settings_defaults import DEFAULTS, routing_policy
from tests.unit.conftest import World
from tests.unit.fakes import FakeEmbedder


def _model_space(text: str) -> tuple[float, ...]:
    return FakeEmbedder()._vector(" ".join(word[::-1] for word in text.lower().replace(".", " ").split()))


def _description_teams(world: World, *teams: Team) -> None:
    world.uow.store.teams.clear()
    for team in teams:
        world.uow.store.teams[team.id or 0] = team


def test_evidence_weighs_n_against_the_descriptions_prior() -> None:
    assert evidence_weight(0, 1.0) == 0.0
    assert evidence_weight(1, 1.0) == 0.5
    assert evidence_weight(5, 1.0) == pytest.approx(5 / 6)


def test_the_derived_category_blends_the_description_with_the_confirmed_categories() -> None:
    description = {"HR Support": 0.7, "Access": 0.2, "Hardware": 0.1}
    alone = derive_category(description, (), 1.0)
    assert (alone.label, alone.runner_up, alone.evidence) == ("HR Support", "Access", 0)
    assert alone.confidence == pytest.approx(0.7) and alone.margin == pytest.approx(0.5)
    assert not alone.is_weak(0.65, 0.2)
    confirmed = [TeamEvidence("laptop broken", "Hardware"), TeamEvidence("screen cracked", "hardware")]
    moved = derive_category(description, confirmed, 1.0)
    assert (moved.label, moved.runner_up) == ("Hardware", "HR Support")
    assert moved.confidence == pytest.approx(1 / 3 * 0.1 + 2 / 3)
    assert derive_category({"A": 0.5, "B": 0.45, "C": 0.05}, (), 1.0).is_weak(0.65, 0.2)


def test_the_routing_vector_moves_towards_the_confirmed_tickets() -> None:
    assert blend_vectors((1.0, 0.0), [], 1.0) == (1.0, 0.0)
    assert blend_vectors(None, [(0.0, 1.0)], 1.0) is None
    blended = blend_vectors((1.0, 0.0), [(0.0, 1.0)], 1.0)
    assert blended is not None and blended == pytest.approx((2**-0.5, 2**-0.5))


def test_a_team_owning_two_categories_receives_both() -> None:
    desk = Team(1, 1, "Desk", "Hardware", "", (1.0, 0.0), ("Purchase",))
    other = Team(2, 1, "Identity", "Access", "", (0.0, 1.0))
    for label in ("Hardware", "purchase"):
        prediction = CategoryPrediction.from_scores({label: 0.9, "Access": 0.1}, "v")
        assignment = route_ticket(None, [desk, other], prediction, routing_policy())
        assert (assignment.assigned_team_id, assignment.reason) == (1, RoutingReason.CATEGORY_MATCH)


async def test_a_team_owning_two_categories_receives_both_through_the_service(world: World) -> None:
    world.classifier.keywords["invoice"] = "Purchase"
    desk = world.uow.store.teams[10]
    world.uow.store.teams[10] = Team(10, 1, desk.name, "Hardware", desk.description, desk.embedding, ("Purchase",))
    for text in ("laptop broken", "invoice for the new chairs"):
        analysis = await world.analyze.execute(text, 1)
        assert analysis.decisions.suggested_team_id == 10, text
        assert analysis.assignment is not None and analysis.assignment.reason is RoutingReason.CATEGORY_MATCH


def test_categories_from_a_caller_keep_the_main_category_first() -> None:
    assert team_categories(None, ["Hardware", "Purchase", "hardware", " "]) == ("Hardware", ("Purchase",))
    assert team_categories("Access", ["Hardware", "access"]) == ("Access", ("Hardware",))
    assert team_categories(None, None) == (None, ())
    with pytest.raises(InvalidInput) as raised:
        team_categories(None, ["ok", 3])  # type: ignore[list-item]
    assert raised.value.field == "categories[1]"


@pytest.mark.parametrize("model_vectors", [True, False], ids=["model space", "embedder space"])
async def test_team_feedback_changes_the_routing_of_a_similar_ticket(model_vectors: bool) -> None:
    world = World()
    if model_vectors:
        world.classifier.vectors = _model_space
    teams = [
        Team(20, 1, "Payroll", None, "salary payslips and pay questions"),
        Team(21, 1, "Front desk", None, "printer toner and paper on every floor"),
    ]
    _description_teams(world, *(replace(t, embedding=world.embedder._vector(t.embedding_text())) for t in teams))
    feedback = SubmitFeedback(world.uow, world.clock, world.retraining, evidence_per_team=50)
    first = await world.analyze.execute("printer toner is empty on floor two", 1)
    assert first.decisions.suggested_team_id == 21
    assert first.id is not None

    await feedback.execute(first.id, Feedback(team_id=20))

    assert world.uow.store.teams[20].evidence == (TeamEvidence("printer toner is empty on floor two", "Miscellaneous"),)
    later = await world.analyze.execute("printer toner is empty on floor three", 1)
    assert later.decisions.suggested_team_id == 20
    assert later.assignment is not None and later.assignment.reason is RoutingReason.DERIVED_CATEGORY_MATCH


async def test_feedback_naming_another_companys_team_is_refused_naming_team_id(world: World) -> None:
    world.uow.store.teams[30] = Team(30, 2, "Elsewhere", "Hardware", "")
    analysis = await world.analyze.execute("laptop broken", 1)
    feedback = SubmitFeedback(world.uow, world.clock, world.retraining, DEFAULTS.team_evidence_per_team)
    for team_id in (30, 999):
        with pytest.raises(InvalidInput) as raised:
            await feedback.execute(analysis.id or 0, Feedback(team_id=team_id))
        assert raised.value.field == "team_id"
    assert world.uow.store.teams[30].evidence == ()


async def test_evidence_is_bounded_per_team(world: World) -> None:
    feedback = SubmitFeedback(world.uow, world.clock, world.retraining, evidence_per_team=2)
    for number in range(3):
        analysis = await world.analyze.execute(f"laptop broken {number}", 1)
        await feedback.execute(analysis.id or 0, Feedback(team_id=10))
    assert [item.text for item in world.uow.store.teams[10].evidence] == ["laptop broken 1", "laptop broken 2"]


def test_each_label_goes_to_the_team_that_reads_most_of_it() -> None:
    from domain.team_evidence import label_owners

    alike = derive_category({"Hardware": 0.6, "Purchase": 0.3, "Access": 0.1}, (), 1.0)
    more_alike = derive_category({"Hardware": 0.7, "Purchase": 0.2, "Access": 0.1}, (), 1.0)
    # Both teams read best as Hardware: the second takes it, the first takes Purchase (which is no team's best).
    assert label_owners({1: alike, 2: more_alike}, 0.2) == {1: ("Purchase",), 2: ("Hardware",)}
    assert label_owners({1: alike, 2: more_alike}, 0.65) == {2: ("Hardware",)}
    identity = derive_category({"Access": 0.95, "Hardware": 0.05}, (), 1.0)
    confirmed = derive_category({"Hardware": 0.9, "Access": 0.1}, [TeamEvidence("vpn", "Access")], 1.0)
    owners = label_owners({1: confirmed, 2: more_alike, 3: identity}, 0.2)
    assert owners[1] == ("Access",) and owners[3] == ("Access",)  # a person confirmed Access for team 1 too

"""The decision policy in the analysis, over fakes: per mode (autofill, recommend, monitor) for the category and
the team, with a calibrated and an uncalibrated prediction; a person's label answering an identical text; the
review queue; the feedback rules (superseding, who may add a label, only confirmed tickets train); decision
quality."""

from __future__ import annotations

import pytest

from adapters.inbound.http.presenters import analysis_response
from application.use_cases.decision_quality import GetDecisionQuality
from application.use_cases.labelled_tickets import Feedback, SubmitFeedback
from application.use_cases.review_queue import ListReviewQueue
from domain.access import AccessLevel, Actor
from domain.analysis import TicketAnalysis
from domain.companies import Company, CompanyFlags
from domain.decision_policy import DecisionMode, DecisionPolicy
from domain.decision_thresholds import ThresholdTable
from domain.decisions import CategoryReason, Decision, category_reason, decide_category
from domain.errors import InvalidInput
from domain.labelled_tickets import TicketStatus
from domain.model_versions import ModelStatus, ModelVersion
from domain.routing import RoutingReason
from tests.settings_defaults import DEFAULTS
from tests.unit.conftest import World
from tests.unit.fakes import confident_table

SERVICE = Actor(AccessLevel.SERVICE, "service-api-key")
ADMIN = Actor(AccessLevel.ADMIN, "admin:alice")
LAPTOP = "My laptop screen is broken"


def _world(
    category_mode: str = "autofill",
    team_mode: str = "autofill",
    confidence: float = 0.9,
    calibrated: bool = True,
    trust_uncalibrated: bool = False,
) -> World:
    world = World(policy=DecisionPolicy(category_mode, team_mode, 0.95, trust_uncalibrated))
    world.classifier.confidence = confidence
    if not calibrated:
        world.classifier.thresholds = None
    return world


def _feedback(world: World) -> SubmitFeedback:
    return SubmitFeedback(world.uow, world.clock, world.retraining, DEFAULTS.team_evidence_per_team)


async def test_autofill_and_a_calibrated_confident_prediction_act_without_a_person() -> None:
    world = _world()
    analysis = await world.analyze.execute(LAPTOP, 1)
    d = analysis.decisions
    assert (d.category, d.category_reason, d.team) == (Decision.AUTO, CategoryReason.ABOVE_THRESHOLD, Decision.AUTO)
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id == 10
    assert not analysis.assignment.need_admin and d.suggested_team_id == 10 and not d.review_pending
    stored = world.uow.store.analyses[analysis.id]
    assert stored.decisions == d and stored.category is not None and stored.category.reasons == ("fake", "reason")


async def test_below_the_threshold_both_fields_are_suggested_and_queued_for_review() -> None:
    world = _world(confidence=0.6)
    analysis = await world.analyze.execute(LAPTOP, 1)
    d = analysis.decisions
    assert (d.category, d.category_reason, d.team) == (Decision.REVIEW, CategoryReason.BELOW_THRESHOLD, Decision.REVIEW)
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id is None
    assert analysis.assignment.need_admin and d.suggested_team_id == 10 and d.review_pending
    body = analysis_response(analysis)
    assert body.category == "Hardware" and body.category_decision == "review" and body.team_decision == "review"
    assert body.team_assignment is not None and body.team_assignment.suggested_team_id == 10


async def test_a_label_without_a_threshold_is_never_automatic() -> None:
    world = _world()
    world.classifier.thresholds = confident_table(["Access"], 0.9)
    analysis = await world.analyze.execute(LAPTOP, 1)
    assert analysis.decisions.category_reason is CategoryReason.NEVER_AUTOMATIC
    assert analysis.decisions.category is Decision.REVIEW and analysis.decisions.team is Decision.REVIEW


@pytest.mark.parametrize(
    ("trust", "decision", "reason", "team_id"),
    [
        (False, Decision.REVIEW, CategoryReason.UNCALIBRATED_MODEL, None),
        (True, Decision.AUTO, CategoryReason.TRUSTED_UNCALIBRATED, 10),
    ],
)
async def test_an_uncalibrated_model_decides_only_when_the_company_trusts_it(
    trust: bool, decision: Decision, reason: CategoryReason, team_id: int | None
) -> None:
    world = _world(calibrated=False, trust_uncalibrated=trust)
    analysis = await world.analyze.execute(LAPTOP, 1)
    assert (analysis.decisions.category, analysis.decisions.category_reason) == (decision, reason)
    assert analysis.decisions.team is decision
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id == team_id
    assert analysis.decisions.review_pending is (decision is Decision.REVIEW)


@pytest.mark.parametrize("calibrated", [True, False])
async def test_recommend_mode_never_acts_on_the_category_but_a_trusted_one_still_routes(calibrated: bool) -> None:
    world = _world(category_mode="recommend", calibrated=calibrated)
    analysis = await world.analyze.execute(LAPTOP, 1)
    d = analysis.decisions
    assert (d.category, d.category_reason) == (Decision.REVIEW, CategoryReason.RECOMMEND_MODE)
    assert d.team is (Decision.AUTO if calibrated else Decision.REVIEW) and d.review_pending
    body = analysis_response(analysis)
    assert body.category == "Hardware" and body.category_decision == "review"


@pytest.mark.parametrize("calibrated", [True, False])
async def test_monitor_mode_records_the_category_but_answers_as_if_it_were_off(calibrated: bool) -> None:
    world = _world(category_mode="monitor", calibrated=calibrated)
    analysis = await world.analyze.execute(LAPTOP, 1)
    d = analysis.decisions
    assert (d.category, d.category_reason, d.category_answered) == (Decision.REVIEW, CategoryReason.MONITOR_MODE, False)
    assert d.review_pending is (not calibrated)  # only the team's review counts
    body = analysis_response(analysis)
    assert body.category is None and body.category_decision is None and body.category_reason is None
    assert body.reasons == [] and body.category_alternatives == []
    assert body.team_assignment is not None and body.team_assignment.bert_category is None
    stored = world.uow.store.analyses[analysis.id]
    assert stored.category is not None and stored.category.label == "Hardware"


@pytest.mark.parametrize("calibrated", [True, False])
async def test_team_recommend_mode_only_suggests_the_team(calibrated: bool) -> None:
    world = _world(team_mode="recommend", calibrated=calibrated)
    analysis = await world.analyze.execute(LAPTOP, 1)
    assert analysis.decisions.team is Decision.REVIEW and analysis.decisions.review_pending
    assert analysis.assignment is not None and analysis.assignment.assigned_team_id is None
    assert analysis.assignment.need_admin and analysis.decisions.suggested_team_id == 10


@pytest.mark.parametrize("calibrated", [True, False])
async def test_team_monitor_mode_routes_and_records_but_answers_no_team(calibrated: bool) -> None:
    world = _world(team_mode="monitor", calibrated=calibrated)
    analysis = await world.analyze.execute(LAPTOP, 1)
    d = analysis.decisions
    assert d.team is Decision.REVIEW and d.suggested_team_id == 10 and not d.team_answered
    assert d.review_pending is (not calibrated)  # only the category's review counts
    body = analysis_response(analysis)
    assert body.team_assignment is None and body.team_decision is None


async def test_a_disabled_field_has_no_decision() -> None:
    world = World(flags=CompanyFlags(auto_categorize=False, auto_assign=False))
    analysis = await world.analyze.execute(LAPTOP, 1)
    assert analysis.decisions.category is None and analysis.decisions.team is None
    assert not analysis.decisions.review_pending
    body = analysis_response(analysis)
    assert body.category_decision is None and body.team_decision is None


async def test_a_person_s_label_answers_the_identical_text_without_the_model() -> None:
    world = _world(confidence=0.6)
    first = await world.analyze.execute("Please reset my password", 1)
    assert first.decisions.review_pending and first.category is not None and first.category.label == "Access"
    await _feedback(world).execute(first.id or 0, Feedback(category="Hardware"), actor=SERVICE)  # a team owns Hardware
    calls = world.classifier.calls

    again = await world.analyze.execute("Please reset my password", 1)
    assert world.classifier.calls == calls
    assert again.category is not None and (again.category.label, again.category.confidence) == ("Hardware", 1.0)
    d = again.decisions
    assert (d.category, d.category_reason, d.team) == (Decision.AUTO, CategoryReason.HUMAN_LABEL, Decision.AUTO)
    assert again.assignment is not None and again.assignment.reason is RoutingReason.HUMAN_LABEL
    assert again.assignment.assigned_team_id == 10 and not d.review_pending and again.model_version is None

    different = await world.analyze.execute("Please reset my password ", 1)  # not the identical text
    assert world.classifier.calls == calls + 1 and different.category is not None
    assert different.category.label == "Access"


async def test_a_batch_reads_the_people_s_labels_of_all_its_texts_at_once() -> None:
    world = _world(confidence=0.6)
    first = await world.analyze.execute("Please reset my password", 1)
    await _feedback(world).execute(first.id or 0, Feedback(category="Hardware"), actor=SERVICE)
    reads = world.uow.store.human_label_reads

    texts = ["Please reset my password", LAPTOP, "Please reset my password", "   "]
    answers = await world.analyze.execute_many(texts, 1)

    assert world.uow.store.human_label_reads == reads + 1
    labelled, laptop, again, blank = answers
    assert isinstance(labelled, TicketAnalysis) and isinstance(again, TicketAnalysis)
    for answer in (labelled, again):
        assert answer.decisions.category_reason is CategoryReason.HUMAN_LABEL and answer.model_version is None
    assert isinstance(laptop, TicketAnalysis) and laptop.decisions.category_reason is not CategoryReason.HUMAN_LABEL
    assert isinstance(blank, InvalidInput)


async def test_a_person_s_label_is_per_company() -> None:
    world = _world(confidence=0.6)
    world.uow.store.companies[2] = Company(2, "Globex", CompanyFlags(auto_assign=False))
    first = await world.analyze.execute(LAPTOP, 1)
    await _feedback(world).execute(first.id or 0, Feedback(category="Access"), actor=SERVICE)
    other = await world.analyze.execute(LAPTOP, 2)
    assert other.decisions.category_reason is CategoryReason.BELOW_THRESHOLD


async def test_the_review_queue_lists_pending_analyses_oldest_first_and_feedback_clears_them() -> None:
    world = _world(confidence=0.6)
    world.uow.store.companies[2] = Company(2, "Globex", CompanyFlags(), DecisionPolicy())
    a = await world.analyze.execute("laptop one", 1)
    b = await world.analyze.execute("password two", 1)
    c = await world.analyze.execute("laptop three", 2)
    world.classifier.confidence = 0.9
    await world.analyze.execute("laptop four, confident", 1)  # auto: not queued
    queue = ListReviewQueue(world.uow)

    page = await queue.execute()
    assert page.total == 3 and [item.id for item in page.items] == [a.id, b.id, c.id]
    assert [i.id for i in (await queue.execute(company_id=1)).items] == [a.id, b.id]
    assert [i.id for i in (await queue.execute(label="hardware")).items] == [a.id, c.id]
    assert [i.id for i in (await queue.execute(offset=1, limit=1)).items] == [b.id]
    item = page.items[0]
    assert item.category is not None and [alt.label for alt in item.category.alternatives] == ["Other A", "Other B"]
    assert item.category.reasons == ("fake", "reason") and item.decisions.suggested_team_id == 10

    await _feedback(world).execute(a.id or 0, actor=SERVICE)
    page = await queue.execute()
    assert page.total == 2 and [item.id for item in page.items] == [b.id, c.id]


@pytest.mark.parametrize(("offset", "limit", "field"), [(-1, 10, "offset"), (0, 0, "limit"), (0, 501, "limit")])
async def test_the_review_queue_refuses_a_bad_page(offset: int, limit: int, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await ListReviewQueue(World().uow).execute(None, None, offset, limit)
    assert raised.value.field == field


async def test_repeated_feedback_supersedes_the_earlier_and_the_latest_wins() -> None:
    world = _world(confidence=0.6)
    analysis = await world.analyze.execute(LAPTOP, 1)
    feedback = _feedback(world)
    first = await feedback.execute(analysis.id or 0, actor=SERVICE)
    second = await feedback.execute(analysis.id or 0, Feedback(category="Access"), actor=SERVICE)
    assert second.superseded_ticket_id == first.labelled_ticket.id and second.corrected
    store = world.uow.store
    earlier = store.labelled[first.labelled_ticket.id]
    assert earlier.status is TicketStatus.SUPERSEDED and earlier.status_changed_by == "service-api-key"
    assert earlier.status_changed_at == world.clock.now()
    latest = store.labelled[second.labelled_ticket.id]
    assert latest.status is TicketStatus.ACTIVE and latest.company_id == 1
    assert latest.status_changed_by == "service-api-key"
    async with world.uow() as uow:
        training = await uow.labelled_tickets.all_for_training()
    assert [t.id for t in training] == [second.labelled_ticket.id]
    assert (await world.analyze.execute(LAPTOP, 1)).category.label == "Access"


async def test_an_analysis_never_becomes_a_training_label_without_feedback() -> None:
    world = _world()
    await world.analyze.execute(LAPTOP, 1)
    await world.analyze.execute("Please reset my password", 1)
    async with world.uow() as uow:
        assert await uow.labelled_tickets.all_for_training() == []


async def test_a_service_caller_cannot_introduce_a_new_label_but_an_admin_can() -> None:
    world = _world(confidence=0.6)
    analysis = await world.analyze.execute(LAPTOP, 1)
    feedback = _feedback(world)
    with pytest.raises(InvalidInput) as raised:
        await feedback.execute(analysis.id or 0, Feedback(category="Facilities"), actor=SERVICE)
    assert raised.value.field == "category" and "only an admin" in raised.value.message
    assert world.uow.store.labelled == {} and world.uow.store.analyses[analysis.id].decisions.review_pending

    result = await feedback.execute(analysis.id or 0, Feedback(category="Facilities"), actor=ADMIN)
    assert result.labelled_ticket.category == "Facilities" and result.labelled_ticket.status_changed_by == "admin:alice"
    # Once an active labelled ticket carries it, the label is known to everyone.
    other = await world.analyze.execute("password please", 1)
    assert (await feedback.execute(other.id or 0, Feedback(category="facilities"), actor=SERVICE)).corrected


async def test_known_labels_are_the_active_model_s_the_company_teams_and_active_tickets() -> None:
    world = _world(confidence=0.6)
    world.uow.store.versions[5] = ModelVersion(
        "v5", "models/v5", ("Billing",), ModelStatus.ACTIVE, world.clock.now(), id=5
    )
    feedback = _feedback(world)
    for category in ("Billing", "access", "Hardware"):  # the model's, a team's (any case), the predicted one
        analysis = await world.analyze.execute(f"laptop {category}", 1)
        assert (await feedback.execute(analysis.id or 0, Feedback(category=category), actor=SERVICE)).labelled_ticket.id


async def test_decision_quality_per_label_and_labels_the_model_does_not_know() -> None:
    world = _world()
    feedback = _feedback(world)
    confirmed = await world.analyze.execute("laptop a", 1)
    corrected = await world.analyze.execute("laptop b", 1)
    await world.analyze.execute("laptop c", 1)
    world.classifier.confidence = 0.6
    await world.analyze.execute("laptop d", 1)  # review: not automatic
    await world.analyze.execute("password e", 1)
    await feedback.execute(confirmed.id or 0, actor=SERVICE)
    await feedback.execute(corrected.id or 0, Feedback(category="Facilities"), actor=ADMIN)
    world.uow.store.versions[5] = ModelVersion(
        "v5", "models/v5", ("Hardware", "Access"), ModelStatus.ACTIVE, world.clock.now(), id=5
    )

    quality = await GetDecisionQuality(world.uow).execute()
    lines = {line.label: line for line in quality.per_label}
    hardware = lines["Hardware"]
    assert (hardware.analyses, hardware.automatic, hardware.automatic_with_feedback) == (4, 3, 2)
    assert hardware.automatic_corrected == 1 and hardware.live_precision == 0.5 and hardware.automatic_share == 0.75
    assert lines["Access"].live_precision is None and lines["Access"].automatic_share == 0.0
    assert quality.unknown_labels == ("Facilities",) and quality.active_model_version == "v5"


@pytest.mark.parametrize(
    ("policy", "thresholds", "confidence", "reason"),
    [
        (DecisionPolicy(category_mode=DecisionMode.MONITOR), None, 0.99, CategoryReason.MONITOR_MODE),
        (DecisionPolicy(category_mode=DecisionMode.RECOMMEND), None, 0.99, CategoryReason.RECOMMEND_MODE),
        (DecisionPolicy(), None, 0.99, CategoryReason.UNCALIBRATED_MODEL),
        (DecisionPolicy(trust_uncalibrated=True), None, 0.1, CategoryReason.TRUSTED_UNCALIBRATED),
        (DecisionPolicy(), confident_table(["Access"], 0.9), 0.99, CategoryReason.NEVER_AUTOMATIC),
        (DecisionPolicy(), confident_table(["Hardware"], 0.9), 0.9, CategoryReason.ABOVE_THRESHOLD),
        (DecisionPolicy(), confident_table(["Hardware"], 0.9), 0.899, CategoryReason.BELOW_THRESHOLD),
    ],
)
def test_the_category_reason_agrees_with_the_decision(
    policy: DecisionPolicy, thresholds: ThresholdTable | None, confidence: float, reason: CategoryReason
) -> None:
    assert category_reason("Hardware", confidence, thresholds, policy) is reason
    automatic = reason in (CategoryReason.ABOVE_THRESHOLD, CategoryReason.TRUSTED_UNCALIBRATED)
    assert decide_category("Hardware", confidence, thresholds, policy) is (
        Decision.AUTO if automatic else Decision.REVIEW
    )


async def test_confirming_a_suggested_team_does_not_make_it_the_ticket_s_team() -> None:
    world = _world(confidence=0.6)
    analysis = await world.analyze.execute(LAPTOP, 1)
    assert analysis.decisions.suggested_team_id == 10
    assert (await _feedback(world).execute(analysis.id or 0, actor=SERVICE)).labelled_ticket.team_id is None
    assert (
        await _feedback(world).execute(analysis.id or 0, Feedback(team_id=10), actor=SERVICE)
    ).labelled_ticket.team_id == 10

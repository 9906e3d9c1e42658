"""Emerging topics: topics made of clusters on fixed data, the use case that reads a company's candidates through
the ports (one company, the labels the served model knows, a short cache), naming a topic (its tickets, and only
they, become a person's labels that training learns) and the admin page over the real app with in-memory fakes."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from dependency_injector import providers

from application.services.retraining_trigger import RetrainingTrigger
from application.use_cases.emerging_topics import CreateCategoryFromTopic, FindEmergingTopics
from application.use_cases.labelled_tickets import Feedback, SubmitFeedback
from domain.access import AccessLevel, Actor
from domain.analysis import AnalysisDecisions, TicketAnalysis
from domain.companies import Company
from domain.decisions import CategoryReason, Decision
from domain.emerging_topics import NOISE, TopicPolicy, topics_from_clusters
from domain.errors import CompanyNotFound, InvalidInput, NotFound
from domain.labelled_tickets import MAX_LABEL_LENGTH, TicketStatus
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction
from domain.priority import Priority
from domain.similar_tickets import StoredVector, pack_vector
from domain.ticket_groups import GroupedTicket
from tests.settings_defaults import DEFAULTS
from tests.training_policies import trigger_policy
from tests.unit.admin_session import logged_in, page_token
from tests.unit.fakes import FakeJobQueue, FakeTopicClusterer, FakeUnitOfWorkFactory, FixedClock
from tests.unit.http_world import http_world

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
DIM = 8
# Written for these values: 4 badge tickets make a topic, and the window reaches back a week.
POLICY = TopicPolicy(window=timedelta(days=7), max_tickets=100, min_cluster_size=4)
ADMIN = Actor(AccessLevel.ADMIN, "admin:alice")
KNOWN = ("Hardware", "Network")


def _direction(seed: int) -> list[float]:
    rng = random.Random(seed)
    vector = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


def _near(base: list[float], seed: int, noise: float = 0.03) -> list[float]:
    rng = random.Random(seed)
    return [v + rng.gauss(0, noise) for v in base]


BADGE = _direction(1)
BADGE_TEXTS = [
    "badge reader at the front door rejects my badge",
    "my access badge no longer opens the door",
    "door badge reader shows red, badge refused",
    "badge not working at the door reader on floor 2",
    "the badge reader refuses my new badge",
]


@dataclass
class Seeded:
    badge: list[int]
    """Company 1's badge tickets waiting for review, newest last."""
    corrected: int
    """A badge ticket of company 1 a person corrected to "Badge Access", a label the model does not know."""
    scattered: list[int]
    """Company 1's other tickets waiting for review, each about something else."""
    known: int
    """A badge-like ticket of company 1 corrected to a label the model knows: not a candidate."""
    automatic: int
    """A badge-like ticket of company 1 decided automatically: not a candidate."""
    other_company: list[int]
    """Company 2's badge tickets waiting for review."""


async def _analysis(
    uow: FakeUnitOfWorkFactory, company_id: int, text: str, vector: list[float], minutes: float, pending: bool = True
) -> int:
    created = NOW - timedelta(minutes=minutes)
    decision = Decision.REVIEW if pending else Decision.AUTO
    async with uow() as unit:
        analysis = await unit.analyses.add(
            TicketAnalysis(
                company_id,
                text,
                CategoryPrediction("Hardware", 0.4, "v1"),
                Priority.MEDIUM,
                0.0,
                None,
                "v1",
                created,
                decisions=AnalysisDecisions(decision, CategoryReason.BELOW_THRESHOLD, review_pending=pending),
            )
        )
        assert analysis.id is not None
        await unit.ticket_vectors.add_many(
            [StoredVector(company_id, "v1", pack_vector(vector), created, analysis_id=analysis.id)]
        )
        await unit.commit()
    return analysis.id


async def _seed(uow: FakeUnitOfWorkFactory, feedback: SubmitFeedback, active: bool = True) -> Seeded:
    async with uow() as unit:
        for name in ("Acme", "Other Co"):
            await unit.companies.add(Company(None, name))
        if active:
            await unit.model_versions.add(ModelVersion("v1", "m/v1", KNOWN, ModelStatus.ACTIVE, NOW))
        await unit.commit()
    badge = [await _analysis(uow, 1, text, _near(BADGE, i), 60 - i) for i, text in enumerate(BADGE_TEXTS[:4])]
    corrected = await _analysis(uow, 1, BADGE_TEXTS[4], _near(BADGE, 9), 30)
    await feedback.execute(corrected, Feedback("Badge Access"), ADMIN)
    scattered = [
        await _analysis(uow, 1, f"question {i} about the {word}", _direction(100 + i), 20 + i)
        for i, word in enumerate(["printer", "payroll", "wifi", "invoice", "monitor"])
    ]
    known = await _analysis(uow, 1, "badge reader broken again", _near(BADGE, 20), 10)
    await feedback.execute(known, Feedback("network"), ADMIN)
    automatic = await _analysis(uow, 1, "badge reader decided alone", _near(BADGE, 21), 5, pending=False)
    other = [
        await _analysis(uow, 2, f"{text} at Other Co", _near(BADGE, 30 + i), 15) for i, text in enumerate(BADGE_TEXTS)
    ]
    return Seeded(badge, corrected, scattered, known, automatic, other)


@dataclass
class Topics:
    uow: FakeUnitOfWorkFactory
    clock: FixedClock
    clusterer: FakeTopicClusterer
    queue: FakeJobQueue
    find: FindEmergingTopics
    create: CreateCategoryFromTopic
    feedback: SubmitFeedback


def _topics(fallback: tuple[str, ...] = ("Hardware", "Network")) -> Topics:
    uow, clock, clusterer, queue = FakeUnitOfWorkFactory(), FixedClock(NOW), FakeTopicClusterer(), FakeJobQueue()
    trigger = RetrainingTrigger(uow, queue, clock, trigger_policy(100, min_new_labels=1))
    feedback = SubmitFeedback(uow, clock, trigger, DEFAULTS.team_evidence_per_team)
    find = FindEmergingTopics(uow, clusterer, clock, POLICY, 60.0, fallback)
    return Topics(uow, clock, clusterer, queue, find, CreateCategoryFromTopic(feedback, find), feedback)


def _grouped(
    text: str, cluster_vector: list[float], minutes: float, analysis_id: int, label: str | None = None
) -> GroupedTicket:
    return GroupedTicket(
        1, "v1", tuple(cluster_vector), NOW - timedelta(minutes=minutes), text, analysis_id, None, label
    )


def test_topics_are_the_clusters_biggest_first_named_against_the_background_without_the_noise() -> None:
    tickets = [
        _grouped("vpn gateway down again", BADGE, 1, 1),
        _grouped("badge reader refuses badge", BADGE, 2, 2),
        _grouped("vpn gateway unreachable", BADGE, 3, 3, "VPN"),
        _grouped("printer jam", BADGE, 4, 4),
        _grouped("badge door reader broken", BADGE, 5, 5),
        _grouped("vpn gateway timeout", BADGE, 6, 6),
    ]
    background = [t.text for t in tickets] + ["reader of the month", "door stuck"]
    vpn, badge = topics_from_clusters(tickets, [1, 0, 1, NOISE, 0, 1], background)
    assert [t.analysis_id for t in vpn.tickets] == [1, 3, 6] and vpn.size == 3
    assert [t.analysis_id for t in badge.tickets] == [2, 5]
    assert vpn.top_terms[:2] == ("gateway", "vpn") and badge.top_terms[0] == "badge"
    assert vpn.labels == ((None, 2), ("VPN", 1)) and vpn.analysis_ids == (1, 3, 6)
    assert topics_from_clusters(tickets, [NOISE] * 6, background) == []
    with pytest.raises(ValueError, match="5 cluster indices for 6 tickets"):
        topics_from_clusters(tickets, [0] * 5, background)


async def test_a_companys_topic_is_its_review_and_unknown_label_tickets_that_cluster_together() -> None:
    topics = _topics()
    seeded = await _seed(topics.uow, topics.feedback)
    report = await topics.find.execute(1)
    (topic,) = report.topics
    assert set(topic.analysis_ids) == {*seeded.badge, seeded.corrected}
    assert {ticket.company_id for ticket in topic.tickets} == {1}
    assert "badge" in topic.top_terms and "reader" in topic.top_terms
    assert topic.labels == ((None, 4), ("Badge Access", 1))
    # The scattered tickets were candidates too (noise); the known-label and automatic ones were not.
    assert report.candidates == 10 and report.company.name == "Acme" and report.model_version == "v1"
    assert report.since == NOW - POLICY.window
    other = await topics.find.execute(2)
    assert [set(t.analysis_ids) for t in other.topics] == [set(seeded.other_company)]


async def test_topics_are_clustered_again_only_after_the_refresh_interval() -> None:
    topics = _topics()
    await _seed(topics.uow, topics.feedback)
    first = await topics.find.execute(1)
    topics.clock.advance(seconds=59)
    assert await topics.find.execute(1) is first and topics.clusterer.calls == 1
    topics.clock.advance(seconds=1)
    assert await topics.find.execute(1) is not first and topics.clusterer.calls == 2
    with pytest.raises(CompanyNotFound):
        await topics.find.execute(99)


async def test_without_an_active_version_the_zero_shot_labels_are_the_known_ones() -> None:
    topics = _topics(fallback=("Hardware", "Network", "Badge Access"))
    seeded = await _seed(topics.uow, topics.feedback, active=False)
    (topic,) = (await topics.find.execute(1)).topics
    assert set(topic.analysis_ids) == set(seeded.badge), "Badge Access is known to the zero-shot classifier"


async def test_an_old_ticket_is_no_candidate() -> None:
    topics = _topics()
    await _seed(topics.uow, topics.feedback)
    topics.clock.advance(days=7)
    report = await topics.find.execute(1)
    assert report.topics == () and report.candidates == 0 and report.model_version is None


async def test_creating_a_category_labels_exactly_the_topics_tickets_as_a_persons_labels_that_train() -> None:
    topics = _topics()
    seeded = await _seed(topics.uow, topics.feedback)
    (topic,) = (await topics.find.execute(1)).topics
    labels_before = len(topics.uow.store.labelled)
    results = await topics.create.execute(1, list(topic.analysis_ids), "  Badge access ", ADMIN)

    assert [r.analysis_id for r in results] == list(topic.analysis_ids)
    store = topics.uow.store
    active = {t.id: t for t in store.labelled.values() if t.status is TicketStatus.ACTIVE}
    for analysis_id in topic.analysis_ids:
        ticket = active[store.feedback_links[analysis_id]]
        assert (ticket.category, ticket.source, ticket.company_id) == ("Badge access", "feedback", 1)
        assert ticket.status_changed_by == "admin:alice"
        assert not store.analyses[analysis_id].decisions.review_pending
    # One new labelled ticket per topic ticket; the earlier correction is superseded, nothing else is touched.
    assert len(store.labelled) == labels_before + topic.size
    untouched = [*seeded.scattered, *seeded.other_company, seeded.automatic]
    assert not any(analysis_id in store.feedback_links for analysis_id in untouched)
    assert {label.category for label in store.human_labels.values() if label.company_id == 1} >= {"Badge access"}
    assert topics.queue.enqueued, "the new labels start a training (RETRAIN_MIN_NEW_LABELS 1)"

    # The page shows the topic again at once, now carrying the new label.
    (again,) = (await topics.find.execute(1)).topics
    assert again.labels == (("Badge access", topic.size),) and topics.clusterer.calls == 2


async def test_a_category_is_refused_for_another_companys_ticket_an_empty_name_or_no_tickets() -> None:
    topics = _topics()
    seeded = await _seed(topics.uow, topics.feedback)
    before = dict(topics.uow.store.labelled)
    with pytest.raises(NotFound):
        await topics.create.execute(1, [*seeded.badge, seeded.other_company[0]], "Badge access", ADMIN)
    with pytest.raises(NotFound):
        await topics.create.execute(1, [*seeded.badge, 12345], "Badge access", ADMIN)
    for name, field in [("   ", "category"), ("x" * (MAX_LABEL_LENGTH + 1), "category")]:
        with pytest.raises(InvalidInput) as raised:
            await topics.create.execute(1, seeded.badge, name, ADMIN)
        assert raised.value.field == field
    with pytest.raises(InvalidInput) as raised:
        await topics.create.execute(1, [], "Badge access", ADMIN)
    assert raised.value.field == "analysis_ids"
    assert topics.uow.store.labelled == before, "nothing is labelled when any ticket is refused"


async def test_the_topics_page_renders_and_its_create_category_form_labels_the_tickets() -> None:
    world = http_world()
    clusterer = FakeTopicClusterer()
    world.container.topic_clusterer.override(providers.Object(clusterer))
    world.clock.moment = NOW
    feedback = world.container.submit_feedback()
    seeded = await _seed(world.uow, feedback)
    await world.add_admin()
    async with logged_in(world.app) as client:
        choose = await client.get("/admin/topics")
        assert choose.status_code == 200 and 'id="topics-choose"' in choose.text
        assert 'href="/admin/topics"' in choose.text, "the nav links the page"

        shown = await client.get("/admin/topics?company_id=1")
        assert shown.status_code == 200
        assert shown.text.count('class="card topic"') == 1 and "Badge Access × 1" in shown.text
        for analysis_id in [*seeded.badge, seeded.corrected]:
            assert f'name="analysis_id" value="{analysis_id}"' in shown.text
            assert f'href="/admin/analyses/{analysis_id}"' in shown.text

        token = await page_token(client, "/admin/topics?company_id=1")
        form = {"company_id": "1", "analysis_id": [str(i) for i in seeded.badge], "_csrf_token": token}
        refused = await client.post("/admin/topics/create-category", data={**form, "category": " "})
        assert refused.status_code == 400 and not world.uow.store.feedback_links.keys() & set(seeded.badge)

        no_csrf = await client.post(
            "/admin/topics/create-category", data={"company_id": "1", "analysis_id": "1", "category": "X"}
        )
        assert no_csrf.status_code == 403
        stolen = await client.post(
            "/admin/topics/create-category",
            data={**form, "analysis_id": [str(seeded.other_company[0])], "category": "Badge access"},
        )
        assert stolen.status_code == 404 and seeded.other_company[0] not in world.uow.store.feedback_links

        # The corrected ticket was unticked: only the four ticked are labelled.
        done = await client.post(
            "/admin/topics/create-category", data={**form, "category": "Badge access"}, follow_redirects=False
        )
        assert done.status_code == 303 and done.headers["location"] == "/admin/topics?company_id=1"
        after = await client.get("/admin/topics?company_id=1")
        assert "Labelled 4 tickets as “Badge access”." in after.text and "Badge access × 4" in after.text
    store = world.uow.store
    assert {store.labelled[store.feedback_links[i]].category for i in seeded.badge} == {"Badge access"}


async def test_a_refused_name_or_no_ticked_ticket_is_shown_next_to_its_topics_field_with_the_ticks_kept() -> None:
    world = http_world()
    world.container.topic_clusterer.override(providers.Object(FakeTopicClusterer()))
    world.clock.moment = NOW
    seeded = await _seed(world.uow, world.container.submit_feedback())
    await world.add_admin()
    async with logged_in(world.app) as client:
        shown = (await client.get("/admin/topics?company_id=1")).text
        key = re.search(r'data-analysis-ids="([0-9 ]+)"', shown)
        assert key is not None
        token = await page_token(client, "/admin/topics?company_id=1")
        form = {"company_id": "1", "topic": key.group(1), "_csrf_token": token}
        ticked = [str(i) for i in seeded.badge[:2]]
        blank = await client.post(
            "/admin/topics/create-category", data={**form, "analysis_id": ticked, "category": " "}
        )
        none_ticked = await client.post("/admin/topics/create-category", data={**form, "category": "Badge access"})
    assert blank.status_code == 400
    assert 'id="category-error-1"' in blank.text and "must be a non-empty string" in blank.text
    assert blank.text.count(" checked>") == 2, "the tickets ticked stay ticked, the others not"
    assert none_ticked.status_code == 400 and "choose at least one ticket" in none_ticked.text
    assert not any(store_id in world.uow.store.feedback_links for store_id in seeded.badge)

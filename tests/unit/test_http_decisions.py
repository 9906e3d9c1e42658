"""The decisions at the HTTP edge, on the real app and wiring with in-memory fakes: the companies API carries the
decision policy, /api/analyze answers the decisions, /api/review-queue lists what waits for a person (admin
only), and feedback with a service key cannot introduce a label nobody knows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from tests.unit.fakes import FakeClassifier
from tests.unit.http_world import ADMIN_KEY, SERVICE_KEY, HttpWorld, http_world

pytestmark = pytest.mark.asyncio(loop_scope="module")
SERVICE = {"X-API-Key": SERVICE_KEY}
ADMIN = {"X-API-Key": ADMIN_KEY}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world() -> AsyncIterator[tuple[HttpWorld, AsyncTestClient]]:
    world = http_world(keys=True)
    async with AsyncTestClient(app=world.app) as client:
        company = await client.post("/api/companies", headers=ADMIN, json={"name": "Initech"})
        assert company.status_code == 201, company.text
        team = await client.post("/api/companies/1/teams", headers=ADMIN, json={"name": "Desk", "category": "Hardware"})
        assert team.status_code == 201
        yield world, client


async def test_companies_accept_and_return_the_decision_policy(world: tuple[HttpWorld, AsyncTestClient]) -> None:
    _, client = world
    body = {
        "name": "Globex",
        "category_mode": "recommend",
        "team_mode": "monitor",
        "target_precision": 0.9,
        "trust_uncalibrated": True,
    }
    created = await client.post("/api/companies", headers=ADMIN, json=body)
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in body} == body
    default = (await client.get("/api/companies/1", headers=ADMIN)).json()
    assert (default["category_mode"], default["team_mode"]) == ("autofill", "autofill")
    assert (default["target_precision"], default["trust_uncalibrated"]) == (0.95, False)
    company_id = created.json()["id"]
    patched = await client.patch(f"/api/companies/{company_id}", headers=ADMIN, json={"team_mode": "autofill"})
    assert patched.json()["team_mode"] == "autofill" and patched.json()["category_mode"] == "recommend"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category_mode": "sometimes"}, "category_mode"),
        ({"team_mode": "AUTO"}, "team_mode"),
        ({"target_precision": 0}, "target_precision"),
        ({"target_precision": 1.5}, "target_precision"),
        ({"target_precision": "high"}, "target_precision"),
        ({"trust_uncalibrated": "yes"}, "trust_uncalibrated"),
    ],
)
async def test_a_bad_policy_value_is_a_400_naming_its_field(
    world: tuple[HttpWorld, AsyncTestClient], body: dict[str, object], field: str
) -> None:
    http, client = world
    companies = len(http.uow.store.companies)
    created = await client.post("/api/companies", headers=ADMIN, json={"name": "Bad", **body})
    assert created.status_code == 400 and created.json()["field"] == field, created.text
    patched = await client.patch("/api/companies/1", headers=ADMIN, json=body)
    assert patched.status_code == 400 and patched.json()["field"] == field
    assert len(http.uow.store.companies) == companies


async def test_the_analysis_answers_its_decisions_and_keeps_the_seed_keys(
    world: tuple[HttpWorld, AsyncTestClient],
) -> None:
    http, client = world
    auto = (
        await client.post("/api/analyze", headers=SERVICE, json={"description": "laptop dead", "company_id": 1})
    ).json()
    assert (auto["category"], auto["category_decision"], auto["category_reason"]) == (
        "Hardware",
        "auto",
        "above_threshold",
    )
    assert auto["team_decision"] == "auto" and auto["reasons"] == ["fake", "reason"]
    team = auto["team_assignment"]
    assert team["assigned_team_id"] == team["suggested_team_id"] and not team["need_admin"]
    assert {"bert_category", "bert_confidence", "similarity_score"} <= team.keys()

    http.container.classifier.override(providers.Object(FakeClassifier(confidence=0.6)))
    try:
        review = await client.post(
            "/api/analyze", headers=SERVICE, json={"description": "laptop slow", "company_id": 1}
        )
    finally:
        http.container.classifier.override(providers.Object(FakeClassifier()))
    body = review.json()
    assert (body["category_decision"], body["category_reason"], body["team_decision"]) == (
        "review",
        "below_threshold",
        "review",
    )
    assert body["team_assignment"]["assigned_team_id"] is None and body["team_assignment"]["need_admin"]
    assert body["team_assignment"]["suggested_team_id"] == team["suggested_team_id"]

    queue = await client.get("/api/review-queue", headers=ADMIN, params={"company_id": 1, "label": "hardware"})
    assert queue.status_code == 200, queue.text
    page = queue.json()
    assert page["total"] == 1 and page["items"][0]["analysis_id"] == body["analysis_id"]
    item = page["items"][0]
    assert item["category_alternatives"] and item["reasons"] == ["fake", "reason"]
    assert item["suggested_team_id"] == team["suggested_team_id"] and item["category_decision"] == "review"
    assert (await client.get("/api/review-queue", headers=SERVICE)).status_code == 403

    confirmed = await client.post(f"/api/analyses/{body['analysis_id']}/feedback", headers=SERVICE, json={})
    assert confirmed.status_code == 201
    assert (await client.get("/api/review-queue", headers=ADMIN)).json()["total"] == 0


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "company_id=0"])
async def test_a_bad_review_queue_query_is_a_400(world: tuple[HttpWorld, AsyncTestClient], query: str) -> None:
    _, client = world
    assert (await client.get(f"/api/review-queue?{query}", headers=ADMIN)).status_code == 400


async def test_only_an_admin_may_introduce_a_new_label_with_feedback(world: tuple[HttpWorld, AsyncTestClient]) -> None:
    http, client = world
    analysis = await client.post("/api/analyze", headers=SERVICE, json={"description": "salary late", "company_id": 1})
    analysis_id = analysis.json()["analysis_id"]
    path = f"/api/analyses/{analysis_id}/feedback"
    labelled = len(http.uow.store.labelled)
    refused = await client.post(path, headers=SERVICE, json={"category": "Quantum Physics"})
    assert refused.status_code == 400 and refused.json()["field"] == "category"
    assert "only an admin" in refused.json()["error"] and len(http.uow.store.labelled) == labelled

    known = await client.post(path, headers=SERVICE, json={"category": "hardware"})  # a team's category
    assert known.status_code == 201 and known.json()["corrected"]
    by_admin = await client.post(path, headers=ADMIN, json={"category": "Quantum Physics"})
    assert by_admin.status_code == 201, by_admin.text
    tickets = http.uow.store.labelled
    earlier, latest = tickets[known.json()["labelled_ticket_id"]], tickets[by_admin.json()["labelled_ticket_id"]]
    assert earlier.status.value == "superseded" and earlier.status_changed_by == "admin-api-key"
    assert latest.status.value == "active" and latest.company_id == 1

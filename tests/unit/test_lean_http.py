"""POST /api/analyze/batch and GET /metrics on the real app and wiring, with in-memory fakes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from tests.unit.http_world import SERVICE_KEY, http_world

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORLD = http_world()
ADMIN = {"X-API-Key": "admin-key-0123456789abc"}
SERVICE = {"X-API-Key": SERVICE_KEY}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client() -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=WORLD.app) as test_client:
        assert (await test_client.post("/api/companies", json={"name": "Initech"}, headers=ADMIN)).status_code == 201
        team = await test_client.post(
            "/api/companies/1/teams", json={"name": "Desk", "category": "Hardware"}, headers=ADMIN
        )
        assert team.status_code == 201
        yield test_client


async def test_a_batch_answers_each_ticket_in_order_like_the_single_call(client: AsyncTestClient) -> None:
    before = len(WORLD.uow.store.analyses)
    body = {
        "company_id": 1,
        "tickets": [{"description": "printer jammed"}, {"description": "  "}, {"description": "screen flickers"}],
    }
    response = await client.post("/api/analyze/batch", json=body, headers=SERVICE)
    assert response.status_code == 200, response.text
    first, bad, last = response.json()["results"]
    single = (
        await client.post("/api/analyze", json={"description": "printer jammed", "company_id": 1}, headers=SERVICE)
    ).json()
    assert set(first) == set(single) | {"outcome"} and first["category"] == single["category"]
    assert first["outcome"] == "answered"
    assert {"category", "priority", "team_assignment"} <= set(last)
    assert bad == {
        "outcome": "error",
        "error": "description: must not be empty or whitespace only",
        "field": "tickets[1].description",
    }
    stored = WORLD.uow.store.analyses
    assert len(stored) == before + 3
    assert [stored[first["analysis_id"]].description, stored[last["analysis_id"]].description] == [
        "printer jammed",
        "screen flickers",
    ]


async def test_a_batch_over_the_limit_is_a_400_naming_tickets(client: AsyncTestClient) -> None:
    body = {"company_id": 1, "tickets": [{"description": "printer"}] * 257}
    response = await client.post("/api/analyze/batch", json=body, headers=SERVICE)
    assert response.status_code == 400 and response.json()["field"] == "tickets"


async def test_a_batch_for_an_unknown_company_is_the_seeds_404(client: AsyncTestClient) -> None:
    response = await client.post(
        "/api/analyze/batch", json={"company_id": 9, "tickets": [{"description": "x"}]}, headers=SERVICE
    )
    assert response.status_code == 404 and response.json() == {"error": "Company not found."}


async def test_a_batch_needs_a_key(client: AsyncTestClient) -> None:
    response = await client.post("/api/analyze/batch", json={"company_id": 1, "tickets": []})
    assert response.status_code == 401


async def test_the_batch_is_documented_in_the_schema(client: AsyncTestClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/analyze/batch" in schema["paths"] and "AnalyzeBatchRequest" in str(schema)


def _sample(page: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", page, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_metrics_count_analyses_and_training_runs(client: AsyncTestClient) -> None:
    page = (await client.get("/metrics")).text
    answered = _sample(page, "ticket_utils_analyses_total", '{call="single"}')
    counted = _sample(page, "ticket_utils_retraining_counted_analyses_total")
    for _ in range(2):
        assert (
            await client.post("/api/analyze", json={"description": "printer jammed", "company_id": 1}, headers=SERVICE)
        ).status_code == 200
    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    page = response.text
    assert _sample(page, "ticket_utils_analyses_total", '{call="single"}') == answered + 2
    assert _sample(page, "ticket_utils_retraining_counted_analyses_total") == counted + 2
    assert "ticket_utils_analyze_duration_seconds_bucket" in page
    assert _sample(page, "ticket_utils_training_runs", '{status="queued"}') == 0

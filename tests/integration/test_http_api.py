"""The HTTP API end to end: real MiniLM and spaCy, MariaDB, the Redis-backed Dramatiq queue."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import redis
from litestar.testing import AsyncTestClient

from adapters.outbound.persistence.sqlalchemy.engine import create_engine_for
from adapters.outbound.persistence.sqlalchemy.migrate import upgrade_to_head
from bootstrap.http import create_http_app
from bootstrap.settings import load_settings
from tests.integration.conftest import API_MYSQL_URL, REDIS_URL, LiveServer, fresh_mysql_database, run_in_thread

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

SEED_KEYS = {"category", "priority", "team_assignment"}
SEED_TEAM_KEYS = {"assigned_team_id", "need_admin", "bert_category", "bert_confidence", "similarity_score"}
THRESHOLD = 10


def _settings(tmp: Path, database_url: str, **extra: str):
    return load_settings(
        environ={
            "DATABASE_URL": database_url,
            "BROKER_URL": REDIS_URL,
            "ANALYZE_TRAINING_THRESHOLD": str(THRESHOLD),
            "RETRAIN_MIN_NEW_LABELS": "0",  # the seed's trigger alone: the analysis count
            "MODEL_STORE_DIR": str(tmp / "models"),
            "SEED_DEMO_DATA": "true",
            "MODEL_POLL_SECONDS": "0.5",
            **extra,
        },
        env_file=None,
    )


async def reset_training_state() -> None:
    """Earlier tests in this module may have triggered a training; start this one from a clean counter, with a
    labelled ticket new since the last training (a trigger with nothing new to learn starts nothing)."""
    engine = create_engine_for(API_MYSQL_URL)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "UPDATE training_state SET analyses_since_trigger = 0, running = 0, "
                "label_revision = trained_label_revision + 1"
            )
            await connection.exec_driver_sql("DELETE FROM training_runs")
    finally:
        await engine.dispose()


async def count_rows(table: str) -> int:
    engine = create_engine_for(API_MYSQL_URL)
    try:
        async with engine.connect() as connection:
            return int((await connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A real uvicorn server on MariaDB and Redis, so concurrent requests really are concurrent."""
    fresh_mysql_database(API_MYSQL_URL)
    redis.Redis.from_url(REDIS_URL).flushdb()
    app = create_http_app(_settings(tmp_path_factory.mktemp("api"), API_MYSQL_URL))
    with LiveServer(app) as server:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http_client:
            yield http_client


async def test_seed_curl_example_answers_with_the_seed_keys_and_real_models(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/analyze", json={"description": "My laptop screen is broken and I am very angry", "company_id": 1}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert SEED_KEYS <= body.keys() and SEED_TEAM_KEYS <= body["team_assignment"].keys()
    assert body["category"] == "Hardware" and body["priority"] in {"high", "medium", "low"}
    assert body["team_assignment"]["bert_category"] == "Hardware"
    assert body["team_assignment"]["assigned_team_id"] is not None and not body["team_assignment"]["need_admin"]
    assert body["analysis_id"] > 0 and body["model_version"].startswith("zero-shot")
    assert -1 <= body["sentiment_polarity"] <= 1 and body["category_alternatives"]
    # The demo company trusts the uncalibrated zero-shot model, so the seed's example still assigns a team.
    assert (body["category_decision"], body["category_reason"]) == ("auto", "trusted_uncalibrated")
    assert body["team_decision"] == "auto" and isinstance(body["reasons"], list)
    assert body["team_assignment"]["suggested_team_id"] == body["team_assignment"]["assigned_team_id"]


async def test_negative_wording_is_high_priority(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/analyze",
        json={"description": "This is terrible, the worst awful outage, everything is broken", "company_id": 1},
    )
    assert response.json()["priority"] == "high"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"description": "", "company_id": 1}, "description"),
        ({"description": "   ", "company_id": 1}, "description"),
        ({"description": 12, "company_id": 1}, "description"),
        ({"company_id": 1}, "description"),
        ({"description": "x", "company_id": 0}, "company_id"),
        ({"description": "x", "company_id": "one"}, "company_id"),
        ({"description": "x" * 10_001, "company_id": 1}, "description"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(
    client: httpx.AsyncClient, payload: dict[str, object], field: str
) -> None:
    response = await client.post("/api/analyze", json=payload)
    assert response.status_code == 400 and response.json()["field"] == field


async def test_unknown_company_is_the_seed_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/analyze", json={"description": "printer jam", "company_id": 424242})
    assert (response.status_code, response.json()) == (404, {"error": "Company not found."})


async def test_over_large_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/analyze",
        content=b'{"description": "' + b"a" * 2_000_000 + b'", "company_id": 1}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", f"/api/companies/{2**63}", None, "company_id"),
        ("GET", "/api/companies/0", None, "company_id"),
        ("DELETE", f"/api/teams/{10**30}", None, "team_id"),
        ("GET", f"/api/tickets?offset={2**63}", None, "offset"),
        ("GET", f"/api/training-runs?limit={2**64}", None, "limit"),
        ("POST", "/api/analyze", {"description": "printer jam", "company_id": 2**63}, "company_id"),
        # MariaDB refused these in its 32-bit team_id column: a 500 before the edge bounded them.
        ("POST", "/api/tickets", {"text": "vpn down", "category": "Access", "team_id": 2**31}, "team_id"),
        (
            "POST",
            "/api/tickets",
            {"tickets": [{"text": "vpn down", "category": "Access", "team_id": 2**40}]},
            "tickets[0].team_id",
        ),
    ],
)
async def test_numbers_no_store_can_hold_are_a_400_naming_them(
    client: httpx.AsyncClient, method: str, path: str, body: object, field: str
) -> None:
    tickets_before = await count_rows("labelled_tickets")
    response = await client.request(method, path, json=body)
    assert response.status_code == 400 and response.json()["field"] == field, response.text
    assert await count_rows("labelled_tickets") == tickets_before


@pytest.mark.parametrize(
    "body",
    [
        b'{"description": "caf\xe9", "company_id": 1}',
        b'{"description": "x", "company_id": 1, "extra": ' + b"[" * 1_000 + b"]" * 1_000 + b"}",
    ],
    ids=["not UTF-8", "nested 1,000 deep"],
)
async def test_hostile_bodies_are_a_400_naming_the_body(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["field"] == "body"


async def test_extra_fields_are_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/analyze", json={"description": "vpn password reset", "company_id": 1, "ticket_id": 9}
    )
    assert response.status_code == 200


async def test_companies_teams_and_flags(client: httpx.AsyncClient) -> None:
    # The zero-shot classifier has no measured precision: only a company that trusts it gets teams assigned.
    created = await client.post(
        "/api/companies", json={"name": "Globex", "auto_prioritize": False, "trust_uncalibrated": True}
    )
    assert created.status_code == 201
    company = created.json()
    team = await client.post(
        f"/api/companies/{company['id']}/teams",
        json={"name": "Storage squad", "category": "Storage", "description": "disk space, shared drives, backups"},
    )
    assert team.status_code == 201, team.text
    analysis = (
        await client.post("/api/analyze", json={"description": "shared drive disk full", "company_id": company["id"]})
    ).json()
    assert analysis["priority"] is None and analysis["team_assignment"]["assigned_team_id"] == team.json()["id"]
    patched = await client.patch(f"/api/companies/{company['id']}", json={"auto_assign": False})
    assert patched.json()["auto_assign"] is False
    analysis = (
        await client.post("/api/analyze", json={"description": "disk full", "company_id": company["id"]})
    ).json()
    assert analysis["team_assignment"] is None and analysis["category"] is not None
    bad = await client.patch(f"/api/companies/{company['id']}", json={"auto_assign": "yes"})
    assert bad.status_code == 400 and bad.json()["field"] == "auto_assign"
    assert (await client.delete(f"/api/companies/{company['id']}")).status_code == 204
    assert (await client.get(f"/api/teams/{team.json()['id']}")).status_code == 404


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "alive"}
    for _ in range(120):
        ready = await client.get("/health/ready")
        if ready.status_code == 200:
            break
        await asyncio.sleep(0.5)
    assert ready.json() == {"status": "ready", "database": True, "models": True, "broker": True}


async def test_health_answers_while_analyses_are_running(client: httpx.AsyncClient) -> None:
    analyses = [
        asyncio.ensure_future(
            client.post("/api/analyze", json={"description": f"monitor {n} flickers", "company_id": 1})
        )
        for n in range(16)
    ]
    await asyncio.sleep(0)
    health = await client.get("/health")
    still_running = sum(not task.done() for task in analyses)
    assert health.status_code == 200
    assert still_running > 0, "the event loop must not be held by model inference"
    assert all(r.status_code == 200 for r in await asyncio.gather(*analyses))


async def test_concurrent_analyses_count_exactly_and_queue_one_training(client: httpx.AsyncClient) -> None:
    await reset_training_state()
    redis.Redis.from_url(REDIS_URL).flushdb()
    before = (await client.get("/api/training/status")).json()
    assert not before["running"] and before["analyses_since_trigger"] == 0
    requests = 40
    analyses_before = await count_rows("analyses")
    responses = await asyncio.gather(
        *(
            client.post("/api/analyze", json={"description": f"printer {n} is jammed", "company_id": 1})
            for n in range(requests)
        )
    )
    assert all(r.status_code == 200 for r in responses)
    status = (await client.get("/api/training/status")).json()
    total = before["analyses_since_trigger"] + requests
    assert status["running"] and status["last_triggered_at"] is not None
    assert status["analyses_since_trigger"] == total - THRESHOLD
    runs = (await client.get("/api/training-runs")).json()
    analyses_stored = await count_rows("analyses")
    assert analyses_stored - analyses_before == requests
    assert [run["status"] for run in runs] == ["queued"]
    assert redis.Redis.from_url(REDIS_URL).llen("dramatiq:training") == 1


async def test_database_outage_is_a_503_without_a_stack_trace(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, "mysql+aiomysql://ticket_utils:secret-pw@127.0.0.1:1/nowhere", SEED_DEMO_DATA="false"
    )
    async with AsyncTestClient(app=create_http_app(settings)) as outage:
        response = await outage.post("/api/analyze", json={"description": "printer jam", "company_id": 1})
        assert response.status_code == 503
        assert response.json() == {"error": "Database unavailable; please retry shortly."}
        assert (await outage.get("/health/ready")).status_code == 503


async def test_broker_outage_keeps_analysing_and_reports_the_error(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    run_in_thread(upgrade_to_head, database_url)
    settings = _settings(tmp_path, database_url, BROKER_URL="redis://127.0.0.1:1/0", ANALYZE_TRAINING_THRESHOLD="1")
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as broken_broker:
        ticket = {"text": "printer jam", "category": "Hardware"}
        assert (await broken_broker.post("/api/tickets", json=ticket)).status_code == 201
        response = await broken_broker.post("/api/analyze", json={"description": "printer jam", "company_id": 1})
        assert response.status_code == 200
        status = (await broken_broker.get("/api/training/status")).json()
        assert not status["running"] and "could not queue export_tickets_and_retrain" in status["last_error"]
        (run,) = (await broken_broker.get("/api/training-runs")).json()
        assert run["status"] == "failed"
        ready = await broken_broker.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["broker"] is False


async def test_an_uncalibrated_model_is_only_suggested_and_feedback_answers_the_identical_text(
    client: httpx.AsyncClient,
) -> None:
    company = (await client.post("/api/companies", json={"name": "Initrode"})).json()
    assert (company["category_mode"], company["trust_uncalibrated"]) == ("autofill", False)
    team = (
        await client.post(
            f"/api/companies/{company['id']}/teams",
            json={"name": "Storage", "category": "Storage", "description": "disk space"},
        )
    ).json()
    text = "The shared drive is full, I cannot save my files"
    first = (await client.post("/api/analyze", json={"description": text, "company_id": company["id"]})).json()
    assert (first["category_decision"], first["category_reason"]) == ("review", "uncalibrated_model")
    assignment = first["team_assignment"]
    assert first["team_decision"] == "review" and assignment["need_admin"] and assignment["assigned_team_id"] is None
    queue = (await client.get("/api/review-queue", params={"company_id": company["id"]})).json()
    assert [item["analysis_id"] for item in queue["items"]] == [first["analysis_id"]]

    feedback = await client.post(f"/api/analyses/{first['analysis_id']}/feedback", json={"category": "Storage"})
    assert feedback.status_code == 201, feedback.text
    assert (await client.get("/api/review-queue", params={"company_id": company["id"]})).json()["total"] == 0
    again = (await client.post("/api/analyze", json={"description": text, "company_id": company["id"]})).json()
    assert (again["category"], again["category_confidence"]) == ("Storage", 1.0)
    assert (again["category_decision"], again["category_reason"], again["team_decision"]) == (
        "auto",
        "human_label",
        "auto",
    )
    assert again["team_assignment"]["assigned_team_id"] == team["id"]
    assert again["team_assignment"]["reason"] == "human_label"


async def test_with_a_service_key_feedback_cannot_introduce_an_unknown_label(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    run_in_thread(upgrade_to_head, database_url)
    service, admin = {"X-API-Key": "service-key-0123456789"}, {"X-API-Key": "admin-key-0123456789abc"}
    settings = _settings(
        tmp_path,
        database_url,
        SERVICE_API_KEYS=service["X-API-Key"],
        ADMIN_API_KEYS=admin["X-API-Key"],
        ANALYZE_TRAINING_THRESHOLD="1000",
    )
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as keyed:
        analysis = await keyed.post(
            "/api/analyze", headers=service, json={"description": "printer jam", "company_id": 1}
        )
        assert analysis.status_code == 200, analysis.text
        path = f"/api/analyses/{analysis.json()['analysis_id']}/feedback"
        refused = await keyed.post(path, headers=service, json={"category": "Quantum Physics"})
        assert refused.status_code == 400 and refused.json()["field"] == "category"
        assert (await keyed.post(path, headers=service, json={"category": "Storage"})).status_code == 201
        assert (await keyed.post(path, headers=admin, json={"category": "Quantum Physics"})).status_code == 201
        assert (await keyed.get("/api/review-queue", headers=service)).status_code == 403
        assert (await keyed.get("/api/review-queue", headers=admin)).status_code == 200

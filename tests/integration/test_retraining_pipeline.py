"""The whole retraining pipeline through Redis and a real Dramatiq worker, with a tiny transformer.

Labelled tickets in over HTTP, a manual trigger, the worker exports, splits, fine-tunes, evaluates, registers
and promotes; the API process then answers /api/analyze from the new version without a restart.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.engine import make_url

from bootstrap.http import create_http_app
from bootstrap.settings import Settings, load_settings
from bootstrap.worker import start_worker
from tests.integration.conftest import API_MYSQL_URL, REDIS_URL, fresh_mysql_database
from tests.integration.tiny_models import tiny_base_model

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

# Beside the API tests' database (TEST_API_MYSQL_URL), so runs pointed at different databases never share this one.
_api_url = make_url(API_MYSQL_URL)
PIPELINE_MYSQL_URL = _api_url.set(database=f"{_api_url.database}_pipeline").render_as_string(hide_password=False)
VOCABULARY = {
    "Hardware": ["laptop", "screen", "keyboard", "printer", "monitor", "mouse"],
    "Access": ["password", "login", "vpn", "account", "locked", "permission"],
    "Storage": ["disk", "drive", "backup", "quota", "folder", "space"],
    "Purchase": ["order", "invoice", "quote", "licence", "buy", "supplier"],
}


def labelled_tickets(per_label: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [
        {"text": f"{' '.join(rng.sample(words, 3))} issue please help {n}", "category": label}
        for label, words in VOCABULARY.items()
        for n in range(per_label)
    ]


def tiny_training_env(root: Path) -> dict[str, str]:
    """Model store, exports and a tiny transformer under `root`, so a whole training run takes seconds."""
    return {
        "MODEL_STORE_DIR": str(root / "models"),
        "TRAINING_EXPORT_PATH": str(root / "exports" / "tickets_training.xlsx"),
        "TRAINING_DATA_DIR": str(root / "training_data"),
        "TRAIN_BASE_MODEL_DIR": str(tiny_base_model(root / "tiny-bert")),
        "TRAIN_EPOCHS": "4",
        "TRAIN_MAX_LENGTH": "32",
        "TRAIN_BATCH_SIZE": "16",
        "TRAIN_LEARNING_RATE": "0.001",
        "TRAIN_TIME_BUDGET": "120",
    }


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    root = tmp_path_factory.mktemp("pipeline")
    fresh_mysql_database(PIPELINE_MYSQL_URL)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    return load_settings(
        environ={
            "DATABASE_URL": PIPELINE_MYSQL_URL,
            "BROKER_URL": REDIS_URL,
            **tiny_training_env(root),
            "MODEL_POLL_SECONDS": "0.3",
            "SEED_DEMO_DATA": "true",
            "RETRAIN_MIN_NEW_LABELS": "0",  # these tests start their runs themselves
        },
        env_file=None,
    )


@pytest.fixture(scope="module")
def worker(settings: Settings) -> Iterator[None]:
    dramatiq_worker, loop = start_worker(settings)
    try:
        yield
    finally:
        dramatiq_worker.stop()
        loop.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client(settings: Settings, worker: None) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as test_client:
        yield test_client


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def other_process(settings: Settings, client: AsyncTestClient) -> AsyncIterator[AsyncTestClient]:
    """A second API instance with its own container and models, as another worker process or host would be."""
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as test_client:
        yield test_client


async def served_version(client: AsyncTestClient, wanted: str) -> str:
    for _ in range(60):
        answer = (
            await client.post("/api/analyze", json={"description": "vpn password locked account", "company_id": 1})
        ).json()
        if answer["model_version"] == wanted:
            break
        await asyncio.sleep(0.25)
    return str(answer["model_version"])


async def wait_for_run(client: AsyncTestClient, run_id: int, timeout_s: float = 240) -> dict[str, Any]:
    seen_running = False
    for _ in range(int(timeout_s / 0.25)):
        run = (await client.get(f"/api/training-runs/{run_id}")).json()
        seen_running |= run["status"] == "running"
        if run["status"] in {"succeeded", "failed", "skipped"}:
            run["seen_running"] = seen_running
            return run
        await asyncio.sleep(0.25)
    raise AssertionError(f"training run {run_id} did not finish in {timeout_s} s: {run}")


async def test_labelled_tickets_train_a_model_that_the_api_then_serves(
    client: AsyncTestClient, other_process: AsyncTestClient, settings: Settings
) -> None:
    assert (
        (await other_process.post("/api/analyze", json={"description": "x", "company_id": 1}))
        .json()["model_version"]
        .startswith("zero-shot")
    )
    stored = await client.post("/api/tickets", json={"tickets": labelled_tickets(per_label=30, seed=1)})
    assert stored.status_code == 201 and len(stored.json()) == 120

    triggered = await client.post("/api/training-runs")
    assert triggered.status_code == 202, triggered.text
    run = await wait_for_run(client, triggered.json()["run_id"])
    assert run["status"] == "succeeded", run
    assert run["promoted"] and run["decision"].startswith("promoted")
    assert run["labelled_tickets"] == 120 and run["progress"]["percent"] == 100.0
    assert isinstance(run["metrics"].get("mislabel_candidates"), dict), run["metrics"].get("mislabel_error")

    # Two stages: the linear model alone was promoted first, then the hybrid replaced it.
    assert [(stage["stage"], stage["promoted"]) for stage in run["stages"]] == [("linear", True), ("hybrid", True)]
    hybrid, linear = (await client.get("/api/models")).json()
    assert (linear["status"], linear["metrics"]["stage"]) == ("retired", "linear")
    assert linear["id"] == run["stages"][0]["model_version_id"] and linear["activated_at"] is not None
    model = hybrid
    assert model["status"] == "active" and model["id"] == run["model_version_id"]
    test_metrics = model["metrics"]["test"]
    assert set(test_metrics) >= {"accuracy", "macro_f1", "per_label", "confusion_matrix", "labels"}
    assert test_metrics["accuracy"] >= 0.75, "keyword tickets are easy; the pipeline must learn them"
    # The worker trained in a training process of its own, at the lowest priority.
    assert model["metrics"]["training"]["training_process"]["nice"] == 19
    assert not list(Path(settings.model_store_dir).rglob("*.bin")) and not list(
        Path(settings.model_store_dir).rglob("*.pkl")
    )

    workbook = load_workbook(settings.training_export_path, read_only=True)
    rows = list(workbook[settings.training_export_sheet_name].iter_rows(values_only=True))
    assert rows[0] == ("Document", "Topic_group") and len(rows) == 121
    assert (settings.training_data_dir / "labelled_tickets.csv").is_file()

    assert await served_version(client, model["name"]) == model["name"], "served without a restart"
    assert await served_version(other_process, model["name"]) == model["name"], "every API process follows"
    answer = (
        await client.post("/api/analyze", json={"description": "vpn password locked account", "company_id": 1})
    ).json()
    assert answer["category"] in VOCABULARY and answer["category_confidence"] > 0

    status = (await client.get("/api/training/status")).json()
    assert not status["running"]


async def test_a_trigger_with_no_new_tickets_is_skipped(client: AsyncTestClient) -> None:
    triggered = await client.post("/api/training-runs")
    assert triggered.status_code == 202
    run = await wait_for_run(client, triggered.json()["run_id"])
    assert run["status"] == "skipped" and "no labelled tickets since" in run["decision"]


async def test_feedback_becomes_a_labelled_ticket_and_rollback_is_possible(client: AsyncTestClient) -> None:
    analysis = (
        await client.post("/api/analyze", json={"description": "printer screen broken", "company_id": 1})
    ).json()
    corrected = await client.post(f"/api/analyses/{analysis['analysis_id']}/feedback", json={"category": "Storage"})
    assert corrected.status_code == 201 and corrected.json()["category"] == "Storage"
    page = (await client.get("/api/tickets?limit=1")).json()
    assert page["items"][0]["category"] == "Storage" and page["items"][0]["source"] == "feedback"
    missing = await client.post("/api/analyses/999999/feedback", json={})
    assert missing.status_code == 404

    model = (await client.get("/api/models")).json()[0]
    assert (await client.post(f"/api/models/{model['id']}/activate")).json()["status"] == "active"
    assert (await client.post("/api/models/424242/activate")).status_code == 404

"""Broken model files: a version whose weights are truncated is marked bad on the next start and the newest good
version is active again in the registry, so that restart (and every later one) serves it, not zero-shot. And
/health/ready means the registry's active version serves: the first analysis after it is answered by that version.

Two real app instances in turn over one SQLite database and one model store, as a restart would have them; the
versions are tiny BERT hybrids trained here (as in test_training_pipeline_ml)."""

from __future__ import annotations

import asyncio
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.outbound.ml.training.version_trainer import train_model_version
from bootstrap.cli import _prepare_database
from bootstrap.container import build_container
from bootstrap.http import create_http_app
from bootstrap.settings import Settings, load_settings
from domain.model_versions import ModelStatus, ModelVersion
from tests.integration.conftest import run_in_thread
from tests.integration.test_training_pipeline_ml import LABELS, fast_config, make_split
from tests.integration.tiny_models import tiny_base_model

pytestmark = pytest.mark.integration

DEADLINE_S = 180.0
ANALYSIS = {"description": "vpn password locked account", "company_id": 1}


async def ready(client: AsyncTestClient) -> float:
    started = time.monotonic()
    while time.monotonic() - started < DEADLINE_S:
        if (await client.get("/health/ready")).status_code == 200:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(f"not ready within {DEADLINE_S} s")


async def register(settings: Settings, store: Path) -> None:
    container = build_container(settings)
    try:
        async with container.uow_factory()() as uow:
            for name, status, hour in (("good-old", ModelStatus.RETIRED, 8), ("newer", ModelStatus.ACTIVE, 9)):
                moment = datetime(2026, 1, 1, hour, tzinfo=UTC)
                await uow.model_versions.add(
                    ModelVersion(name, str(store / name), tuple(LABELS), status, moment, activated_at=moment)
                )
            await uow.commit()
    finally:
        await container.engine().dispose()


async def test_truncated_weights_fall_back_to_the_newest_good_version_across_restarts(tmp_path: Path) -> None:
    store = tmp_path / "models"
    base = tiny_base_model(tmp_path / "tiny-bert")
    await asyncio.to_thread(
        train_model_version,
        make_split(20, 1),
        make_split(5, 2),
        LABELS,
        store / "good-old",
        fast_config(epochs=1),
        base,
        lambda phase, percent, loss: None,
    )
    shutil.copytree(store / "good-old", store / "newer")
    settings = load_settings(
        environ={
            "SQLITE_PATH": str(tmp_path / "data" / "db.sqlite3"),
            "MODEL_STORE_DIR": str(store),
            "MODEL_POLL_SECONDS": "0.2",
        },
        env_file=None,
    )
    run_in_thread(_prepare_database, settings)
    await register(settings, store)

    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as first_start:
        await ready(first_start)
        answer = (await first_start.post("/api/analyze", json=ANALYSIS)).json()
        assert answer["model_version"] == "newer", "ready means the active version serves, not zero-shot"

    for weights in (store / "newer").rglob("*.safetensors"):
        with weights.open("r+b") as handle:
            handle.truncate(weights.stat().st_size // 2)

    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as restarted:
        recovered_after = await ready(restarted)
        answer = (await restarted.post("/api/analyze", json=ANALYSIS)).json()
        assert answer["model_version"] == "good-old", answer
        models = {model["name"]: model for model in (await restarted.get("/api/models")).json()}
    print(f"restart with truncated weights: ready on the good version {recovered_after:.1f} s after start")
    assert models["newer"]["status"] == "bad" and "failed to load" in models["newer"]["note"], models["newer"]
    assert models["good-old"]["status"] == "active" and "newer" in models["good-old"]["note"]

    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as later:
        await ready(later)
        assert (await later.post("/api/analyze", json=ANALYSIS)).json()["model_version"] == "good-old"

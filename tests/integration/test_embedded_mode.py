"""The embedded default: SQLite and the in-process queue, with the seed's counter triggering a real training."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from bootstrap.cli import _prepare_database
from bootstrap.http import create_http_app
from bootstrap.settings import load_settings
from tests.integration.conftest import run_in_thread
from tests.integration.test_retraining_pipeline import labelled_tickets
from tests.integration.tiny_models import tiny_base_model
from tests.processes import training_processes

pytestmark = pytest.mark.integration


async def test_threshold_trains_in_process_and_the_new_model_serves(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "SQLITE_PATH": str(tmp_path / "data" / "db.sqlite3"),
            "ANALYZE_TRAINING_THRESHOLD": "5",
            "RETRAIN_MIN_NEW_LABELS": "0",  # the seed's trigger alone: the analysis count
            "MODEL_STORE_DIR": str(tmp_path / "models"),
            "TRAINING_EXPORT_PATH": str(tmp_path / "exports" / "tickets.xlsx"),
            "TRAINING_DATA_DIR": str(tmp_path / "training_data"),
            "TRAIN_BASE_MODEL_DIR": str(tiny_base_model(tmp_path / "tiny-bert")),
            "TRAIN_EPOCHS": "4",
            "TRAIN_MAX_LENGTH": "32",
            "TRAIN_LEARNING_RATE": "0.001",
            "MODEL_POLL_SECONDS": "0.3",
        },
        env_file=None,
    )
    assert settings.embedded and settings.seed_demo_data
    run_in_thread(_prepare_database, settings)
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as client:
        assert (await client.post("/api/tickets", json={"tickets": labelled_tickets(20, seed=3)})).status_code == 201
        for n in range(5):
            answer = await client.post("/api/analyze", json={"description": f"printer {n} broken", "company_id": 1})
            assert answer.status_code == 200
        status = (await client.get("/api/training/status")).json()
        assert status["running"] and status["analyses_since_trigger"] == 0
        for _ in range(400):
            runs = (await client.get("/api/training-runs")).json()
            if runs and runs[0]["status"] in {"succeeded", "failed", "skipped"}:
                break
            await asyncio.sleep(0.25)
        assert runs[0]["trigger"] == "threshold" and runs[0]["status"] == "succeeded", runs[0]
        # Two stages, so two versions (linear, then hybrid): the active one is what serves.
        (model,) = [m for m in (await client.get("/api/models")).json() if m["status"] == "active"]
        for _ in range(40):
            answer = (await client.post("/api/analyze", json={"description": "vpn locked", "company_id": 1})).json()
            if answer["model_version"] == model["name"]:
                break
            await asyncio.sleep(0.25)
        assert answer["model_version"] == model["name"]
        assert not (await client.get("/api/training/status")).json()["running"]
    # The API process trained in a child at the lowest priority, which ended with the job.
    details = model["metrics"]["training"]
    assert details["training_process"]["nice"] == 19 and details["peak_rss_mib"] > 0
    if hasattr(os, "SCHED_IDLE"):
        assert details["training_process"]["scheduler"] == "idle"
    if os.path.exists("/proc/self/autogroup"):
        assert details["training_process"]["autogroup_nice"] == 19
    assert training_processes() == []

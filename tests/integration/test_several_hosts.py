"""Two API hosts and a training worker that share no folder: MariaDB, Redis and an S3 API (moto's server) only.

Each process runs as its own `ticket-utils` subprocess with its own working directory and model cache; the model
versions travel only through the bucket. A training promotes a version and both hosts serve it; an operator's
rollback reaches both; a version whose file was changed in the bucket is refused by its sha256 and the version
before keeps serving on both. Everything is polled with generous deadlines; nothing asserts how long it took.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from adapters.outbound.model_store.object_store import ObjectModelStore, s3_client
from adapters.outbound.model_store.version_cache import VersionCache
from bootstrap.container import Container, build_container
from bootstrap.settings import load_settings
from domain.model_versions import ModelStatus, ModelVersion
from tests.integration.conftest import API_MYSQL_URL, REDIS_URL, fresh_mysql_database, s3_environment
from tests.integration.test_crashed_worker import eventually
from tests.integration.test_retraining_pipeline import labelled_tickets, tiny_training_env

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

_api_url = make_url(API_MYSQL_URL)
HOSTS_MYSQL_URL = _api_url.set(database=f"{_api_url.database}_hosts").render_as_string(hide_password=False)
PREFIX = "ticket-utils/models"
PROBE = {"description": "vpn password locked account", "company_id": 1}


@dataclass
class Host:
    name: str
    url: str
    folder: Path
    process: subprocess.Popen[bytes]

    def cached(self) -> set[str]:
        versions = self.folder / "cache" / "versions"
        return {path.name for path in versions.iterdir()} if versions.is_dir() else set()


@dataclass
class Cluster:
    hosts: list[Host]
    root: Path
    bucket: str
    container: Container
    client: httpx.AsyncClient

    async def served_everywhere(self, version: str) -> None:
        for host in self.hosts:

            async def serves(host: Host = host) -> bool | None:
                answer = await self.client.post(f"{host.url}/api/analyze", json=PROBE)
                return True if answer.status_code == 200 and answer.json()["model_version"] == version else None

            await eventually(serves, f"{host.name} serving {version}", self.root)

    async def models(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = (await self.client.get(f"{self.hosts[0].url}/api/models")).json()
        return listed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(root: Path, name: str, env: dict[str, str], *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    """`ticket-utils <args>` in a working directory of its own, with its own model cache."""
    folder = root / name
    folder.mkdir()
    own = {
        "MODEL_CACHE_DIR": str(folder / "cache"),
        "SESSION_SECRET_FILE": str(folder / "data" / "session_secret"),
        "TRAINING_EXPORT_PATH": str(folder / "exports" / "tickets_training.xlsx"),
        "TRAINING_DATA_DIR": str(folder / "training_data"),
    }
    with (root / f"{name}.log").open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bootstrap.cli", *args],
            env={**env, **own},
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, folder


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest_asyncio.fixture
async def cluster(tmp_path: Path, s3_endpoint: str, s3_bucket: str) -> AsyncIterator[Cluster]:
    fresh_mysql_database(HOSTS_MYSQL_URL)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    training = tiny_training_env(tmp_path)
    env = {
        **{
            name: value
            for name, value in os.environ.items()
            if name not in {"BROKER_URL", "CELERY_BROKER_URL", "DB_HOST", "MODEL_STORE_DIR", "PROMETHEUS_MULTIPROC_DIR"}
        },
        **s3_environment(s3_endpoint),
        **{name: value for name, value in training.items() if name.startswith("TRAIN_")},
        "DATABASE_URL": HOSTS_MYSQL_URL,
        "BROKER_URL": REDIS_URL,
        "RETRAIN_MIN_NEW_LABELS": "0",  # the test starts its training itself
        "MODEL_STORE_URL": f"s3://{s3_bucket}/{PREFIX}",
        "MODEL_POLL_SECONDS": "2",
        "SEED_DEMO_DATA": "true",
        "LOG_LEVEL": "INFO",
    }
    processes: list[subprocess.Popen[bytes]] = []
    container = build_container(load_settings(environ=env, env_file=None))
    try:
        worker, _ = _start(tmp_path, "worker", env, "worker")
        processes.append(worker)
        hosts = []
        for name in ("host-a", "host-b"):
            port = _free_port()
            process, folder = _start(tmp_path, name, env, "serve", "--port", str(port))
            processes.append(process)
            hosts.append(Host(name, f"http://127.0.0.1:{port}", folder, process))
        async with httpx.AsyncClient(timeout=60) as client:
            for host in hosts:

                async def ready(host: Host = host) -> bool | None:
                    assert host.process.poll() is None, f"{host.name} exited with {host.process.returncode}"
                    try:
                        return True if (await client.get(f"{host.url}/health/ready")).status_code == 200 else None
                    except httpx.HTTPError:
                        return None

                await eventually(ready, f"{host.name} ready", tmp_path)
            yield Cluster(hosts, tmp_path, s3_bucket, container, client)
    finally:
        for process in processes:
            _stop(process)
        await container.engine().dispose()


async def test_hosts_follow_promotion_rollback_and_refuse_a_tampered_version(cluster: Cluster) -> None:
    first, second = cluster.hosts
    client = cluster.client
    stored = await client.post(f"{first.url}/api/tickets", json={"tickets": labelled_tickets(per_label=30, seed=1)})
    assert stored.status_code == 201, stored.text

    # A training on the worker host promotes a version; both API hosts pull it from the bucket and serve it.
    triggered = await client.post(f"{second.url}/api/training-runs")
    assert triggered.status_code == 202, triggered.text
    run_id = triggered.json()["run_id"]

    async def finished() -> dict[str, Any] | None:
        run: dict[str, Any] = (await client.get(f"{first.url}/api/training-runs/{run_id}")).json()
        return run if run["status"] in {"succeeded", "failed", "skipped"} else None

    run = await eventually(finished, f"training run {run_id} finishing", cluster.root)
    assert run["status"] == "succeeded" and run["promoted"], run
    hybrid, linear = await cluster.models()
    assert (hybrid["status"], linear["status"]) == ("active", "retired")
    await cluster.served_everywhere(hybrid["name"])
    for host in cluster.hosts:
        assert hybrid["name"] in host.cached(), f"{host.name} keeps its own checked copy"
        assert not (host.folder / "models").exists(), "no host has a model folder of its own to share"

    # An operator's rollback on one host reaches both.
    rolled_back = await client.post(f"{second.url}/api/models/{linear['id']}/activate")
    assert rolled_back.status_code == 200, rolled_back.text
    await cluster.served_everywhere(linear["name"])

    # A version whose file was changed in the bucket after it was published: refused, the previous one serves on.
    tampered = await _publish_tampered_copy(cluster, hybrid)
    activated = await client.post(f"{first.url}/api/models/{tampered.id}/activate")
    assert activated.status_code == 200, activated.text

    async def refused() -> dict[str, Any] | None:
        versions = {version["id"]: version for version in await cluster.models()}
        return versions[tampered.id] if versions[tampered.id]["status"] == "bad" else None

    bad = await eventually(refused, "the tampered version being refused", cluster.root)
    assert "sha256" in bad["note"], bad
    await cluster.served_everywhere(linear["name"])
    assert [version["name"] for version in await cluster.models() if version["status"] == "active"] == [
        linear["name"]
    ], "the version before is active again in the registry"
    for host in cluster.hosts:
        assert tampered.name not in host.cached(), f"nothing of the refused version stays in {host.name}'s cache"
        assert host.process.poll() is None, f"{host.name} is still up"


async def _publish_tampered_copy(cluster: Cluster, original: dict[str, Any]) -> ModelVersion:
    """Publishes a copy of `original` as a new version, changes one of its files in the bucket, registers it."""
    store = ObjectModelStore(cluster.bucket, PREFIX, VersionCache(cluster.root / "test-cache", 2))
    name = f"{original['name']}-tampered"
    async with store.open(original["name"]) as folder:
        shutil.copytree(folder, Path(store.staging_area(), name))
    location = await store.publish(str(Path(store.staging_area(), name)), name)
    model_json = f"{PREFIX}/{name}/model.json"
    original_bytes = s3_client().get_object(Bucket=cluster.bucket, Key=model_json)["Body"].read()
    changed = original_bytes.replace(b'"format"', b'"Format"', 1)  # the same size: only its sha256 tells
    s3_client().put_object(Bucket=cluster.bucket, Key=model_json, Body=changed)
    async with cluster.container.uow_factory()() as uow:
        version = await uow.model_versions.add(
            ModelVersion(
                name,
                location,
                tuple(original["labels"]),
                ModelStatus.RETIRED,
                datetime.now(UTC),
                note="a copy whose model.json was changed in the bucket",
            )
        )
        await uow.commit()
    return version

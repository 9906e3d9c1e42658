"""`serve --workers N`: thread shares, the shared metrics directory, no access log at INFO; and the demo data
created once however many processes start at the same time."""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapters.outbound.metrics.prometheus_metrics import MULTIPROC_ENV
from application.use_cases.seed_demo_data import DEMO_TEAMS, SeedDemoData
from bootstrap.cli import prepare_worker_processes, torch_threads_per_process, uvicorn_options
from bootstrap.settings import load_settings
from tests.unit.fakes import FakeEmbedder, FakeUnitOfWorkFactory


def test_each_process_gets_its_share_of_the_cores_and_at_least_one() -> None:
    assert torch_threads_per_process(1, cores=16) == 16
    assert torch_threads_per_process(4, cores=16) == 4
    assert torch_threads_per_process(3, cores=16) == 5
    assert torch_threads_per_process(8, cores=2) == 1


def test_serving_several_workers_sets_threads_and_an_empty_shared_metrics_dir(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    prepare_worker_processes(load_settings(environ={}, env_file=None), 2, environ)
    assert int(environ["TORCH_THREADS"]) >= 1
    assert Path(environ[MULTIPROC_ENV]).is_dir() and not list(Path(environ[MULTIPROC_ENV]).iterdir())

    stale = tmp_path / "counter_123.db"
    stale.write_bytes(b"old run")
    environ = {MULTIPROC_ENV: str(tmp_path)}
    prepare_worker_processes(load_settings(environ={"TORCH_THREADS": "3"}, env_file=None), 4, environ)
    assert "TORCH_THREADS" not in environ and not stale.exists()


def test_one_worker_needs_no_shared_metrics_dir() -> None:
    environ: dict[str, str] = {}
    prepare_worker_processes(load_settings(environ={}, env_file=None), 1, environ)
    assert MULTIPROC_ENV not in environ and "TORCH_THREADS" in environ


def test_requests_are_not_logged_at_info() -> None:
    assert not uvicorn_options(load_settings(environ={}, env_file=None), "127.0.0.1", 8002, 1)["access_log"]
    debug = load_settings(environ={"LOG_LEVEL": "DEBUG"}, env_file=None)
    assert uvicorn_options(debug, "127.0.0.1", 8002, 1)["access_log"]


async def test_processes_starting_together_create_the_demo_company_once() -> None:
    uow = FakeUnitOfWorkFactory()
    created = await asyncio.gather(*(SeedDemoData(uow, FakeEmbedder()).execute() for _ in range(3)))
    assert created.count(True) == 1
    assert len(uow.store.companies) == 1 and len(uow.store.teams) == len(DEMO_TEAMS)
    assert all(team.embedding for team in uow.store.teams.values())

"""Schemathesis against the live app (uvicorn, MariaDB, Redis, real models), with an admin API key, as its CLI's
`st run --checks all` would run it: every phase (examples, coverage, fuzzing, stateful) and every check, so the
answers must not only avoid 5xx and match the documented bodies, but the schema must say exactly what the service
enforces (requests valid by /schema accepted, invalid ones refused), the documented status codes, content types and
`Allow` headers must be the ones sent, and a deleted resource must stay gone.

Bounded and repeatable: a fixed seed, a fixed number of examples per operation, deterministic generation, no
example database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from sqlalchemy.engine import make_url

from bootstrap.http import create_http_app
from bootstrap.settings import load_settings
from tests.integration.conftest import API_MYSQL_URL, REDIS_URL, LiveServer, fresh_mysql_database

pytestmark = pytest.mark.integration

ADMIN_KEY = "fuzz-admin-key-0123456789"
SERVICE_KEY = "fuzz-service-key-0123456789"
EXAMPLES = 10
"""Per operation in the fuzzing phase (the coverage phase's cases are its own, one per boundary it derives)."""
FUZZ_MYSQL_URL = make_url(API_MYSQL_URL).set(database=f"{make_url(API_MYSQL_URL).database}_fuzz")
CONFIG = {
    "seed": 1,
    "headers": {"X-API-Key": ADMIN_KEY},
    "workers": 1,
    "request-timeout": 60,
    "checks": {"enabled": True},
    "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
}


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = fresh_mysql_database(FUZZ_MYSQL_URL.render_as_string(hide_password=False))
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings_ = load_settings(
        environ={
            "DATABASE_URL": url,
            "BROKER_URL": REDIS_URL,
            "MODEL_STORE_DIR": str(Path(tmp_path_factory.mktemp("fuzz")) / "models"),
            "SEED_DEMO_DATA": "true",
            "ADMIN_API_KEYS": ADMIN_KEY,
            "SERVICE_API_KEYS": SERVICE_KEY,
            "SESSION_SECRET": "fuzz-session-secret-0123456789abcdef",  # else one is written under data/
        },
        env_file=None,
    )
    with LiveServer(create_http_app(settings_)) as server:
        _wait_until_ready(server.url)
        yield server.url
    redis.Redis.from_url(REDIS_URL).flushdb()


def _wait_until_ready(base_url: str) -> None:
    """/health/ready answers 503 while the models load; fuzzing starts once it says 200, so a 5xx is a finding."""
    for _ in range(240):
        if httpx.get(f"{base_url}/health/ready", timeout=30).status_code == 200:
            return
        time.sleep(0.5)
    pytest.fail("the app did not become ready within 2 minutes", pytrace=False)


@dataclass
class FuzzRun:
    operations: set[str] = field(default_factory=set)
    requests: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    """Per distinct failure (operation, check, what it found, as the CLI counts them): a curl command for it."""


def test_every_check_of_schemathesis_passes_on_every_operation(live_url: str) -> None:
    run = _fuzz(live_url)
    assert len(run.operations) >= 25 and run.requests > len(run.operations) * EXAMPLES
    found = [f"{failure}\n    {curl}" for failure, curl in sorted(run.failures.items())]
    assert not found, f"{len(found)} failure(s) in {run.requests} requests:\n" + "\n".join(found)


def _fuzz(base_url: str) -> FuzzRun:
    schema = schemathesis.openapi.from_url(
        f"{base_url}/schema/openapi.json", config=SchemathesisConfig.from_dict(CONFIG), timeout=60
    )
    run = FuzzRun()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            if isinstance(event, events.ScenarioFinished) and event.label and event.is_test_scenario:
                run.operations.add(event.label)
            run.requests += len(event.recorder.interactions)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status is Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        found = f"{failure.operation} {check.name}: {failure.title}"
                        run.failures.setdefault(found, check.failure_info.code_sample)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            run.failures.setdefault(f"error: {event}", "")
        elif isinstance(event, events.EngineFinished):
            run.failures.update((f"{failure.operation}: {failure.title}", "") for failure in event.failures)
    return run

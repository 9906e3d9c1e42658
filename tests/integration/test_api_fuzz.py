"""Schemathesis against the live app (uvicorn, MariaDB, Redis, real models), with an admin API key: requests
generated from /schema, both ones it allows and ones it forbids, must never be answered with a 5xx, and every
answer must match what /schema documents for its status (so error bodies really are {error, field}).

Bounded and repeatable: a fixed number of examples per operation and mode, derandomized, no example database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.engine import make_url

from bootstrap.http import create_http_app
from bootstrap.settings import load_settings
from tests.integration.conftest import API_MYSQL_URL, REDIS_URL, LiveServer, fresh_mysql_database

pytestmark = pytest.mark.integration

ADMIN_KEY = "fuzz-admin-key-0123456789"
SERVICE_KEY = "fuzz-service-key-0123456789"
EXAMPLES = 12
"""Per operation and mode: 20 operations x 2 modes x 12 examples stay well under 30 s."""
FUZZ_MYSQL_URL = make_url(API_MYSQL_URL).set(database=f"{make_url(API_MYSQL_URL).database}_fuzz")
CHECKS = [not_a_server_error, response_schema_conformance]


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


def test_no_generated_request_is_answered_with_a_5xx_or_off_schema(live_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_url}/schema/openapi.json", timeout=60)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        _exercise(operation, GenerationMode.POSITIVE, live_url)
        # An operation that takes nothing (GET /api/models) has nothing to get wrong, so no negative cases.
        if any(len(part) for part in (operation.path_parameters, operation.query, operation.body)):
            _exercise(operation, GenerationMode.NEGATIVE, live_url)


def _exercise(operation, mode: GenerationMode, base_url: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case) -> None:
        response = case.call(base_url=base_url, headers={"X-API-Key": ADMIN_KEY}, timeout=60)
        case.validate_response(response, checks=CHECKS)

    call()

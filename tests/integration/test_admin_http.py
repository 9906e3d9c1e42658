"""Access control end to end on MariaDB: API keys, admin pages, login with argon2, DB-backed throttling.

Every /api route refuses anonymous callers and wrong keys with 401, management routes refuse a service key
with 403, every admin page sends anyone without a session to the login page, and every form needs a CSRF token.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from bootstrap.container import Container, build_container
from bootstrap.http import create_http_app
from bootstrap.settings import Settings, load_settings
from domain.access import AccessLevel
from tests.integration.conftest import API_MYSQL_URL, fresh_mysql_database
from tests.unit.admin_routes import admin_pages, api_routes
from tests.unit.admin_session import log_in, page_token

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

# Beside the API tests' database, so that TEST_API_MYSQL_URL keeps parallel runs apart.
MYSQL_URL = (
    make_url(API_MYSQL_URL)
    .set(database=f"{make_url(API_MYSQL_URL).database}_admin")
    .render_as_string(hide_password=False)
)
SERVICE_KEY = "svc-7c0ffee0-service-key"
ADMIN_KEY = "adm-5ec2e7-admin-key-0001"
PASSWORD = "a long admin passphrase"
SECRET = "integration-test-session-secret-0123456789"


def _settings(tmp: Path, **extra: str) -> Settings:
    return load_settings(
        environ={
            "DATABASE_URL": MYSQL_URL,
            "SERVICE_API_KEYS": SERVICE_KEY,
            "ADMIN_API_KEYS": ADMIN_KEY,
            "SESSION_SECRET": SECRET,
            "MODEL_STORE_DIR": str(tmp / "models"),
            "SEED_DEMO_DATA": "true",
            "LOGIN_MAX_FAILURES": "3",
            **extra,
        },
        env_file=None,
    )


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    fresh_mysql_database(MYSQL_URL)
    return _settings(tmp_path_factory.mktemp("admin-http"))


async def _operator(settings: Settings, command: str, *args: str) -> None:
    """What `ticket-utils createsuperuser` / `changepassword` do: its own container, engine and connections."""
    container: Container = build_container(settings)
    try:
        await getattr(container, command)().execute(*args)
    finally:
        await container.engine().dispose()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    for username in ("alice", "mallory", "bob"):
        await _operator(settings, "create_admin_user", username, PASSWORD)
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as test_client:
        yield test_client


@pytest.fixture
def anonymous(client: AsyncTestClient) -> AsyncTestClient:
    client.cookies.clear()
    return client


def _cases(kind: str):
    # The routing table of an app built like production; the keys and secret only matter for requests.
    from tests.unit.http_world import http_world

    app = http_world().app
    return api_routes(app) if kind == "api" else admin_pages(app)


@pytest.mark.parametrize("case", _cases("api"), ids=str)
async def test_every_api_route_refuses_missing_and_wrong_keys(anonymous: AsyncTestClient, case) -> None:
    missing = await anonymous.request(case.method, case.path, json={})
    assert missing.status_code == 401 and "Missing API key" in missing.json()["error"]
    wrong = await anonymous.request(case.method, case.path, json={}, headers={"X-API-Key": "wrong-key-0123456789"})
    assert wrong.status_code == 401 and wrong.json() == {"error": "Invalid API key."}
    if case.level is AccessLevel.ADMIN:
        service = await anonymous.request(
            case.method, case.path, json={}, headers={"Authorization": f"Bearer {SERVICE_KEY}"}
        )
        assert service.status_code == 403 and "admin API key" in service.json()["error"]


@pytest.mark.parametrize("case", _cases("admin"), ids=str)
async def test_every_admin_page_sends_callers_without_a_session_to_the_login(anonymous: AsyncTestClient, case) -> None:
    token = await page_token(anonymous, "/admin/login")
    data = None if case.method == "GET" else {"_csrf_token": token}
    for headers in ({}, {"X-API-Key": ADMIN_KEY}):
        response = await anonymous.request(case.method, case.path, data=data, headers=headers, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login?next=")
    if case.method == "POST":
        no_token = await anonymous.request(case.method, case.path, data={}, follow_redirects=False)
        assert no_token.status_code == 403


async def test_keys_open_their_endpoints(anonymous: AsyncTestClient) -> None:
    assert (await anonymous.get("/api/companies", headers={"X-API-Key": ADMIN_KEY})).status_code == 200
    refused = await anonymous.post(
        "/api/analyze", json={"description": "", "company_id": 1}, headers={"X-API-Key": SERVICE_KEY}
    )
    assert refused.status_code == 400 and refused.json()["field"] == "description", "past the guard, into validation"
    assert (await anonymous.get("/health")).status_code == 200, "health stays open for probes"


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/analyses?page={2**63}",
        f"/admin/tickets?page={10**30}",
        f"/admin/companies/{2**63}",
        f"/admin/analyses?company_id={2**63}",
        f"/admin/training-runs/{2**63}/progress",
    ],
)
async def test_numbers_no_store_can_hold_are_a_400_page_on_mariadb(anonymous: AsyncTestClient, path: str) -> None:
    await log_in(anonymous, password=PASSWORD)
    response = await anonymous.get(path, follow_redirects=False)
    assert response.status_code == 400, response.text


async def test_login_cookie_flags_session_use_and_logout(anonymous: AsyncTestClient) -> None:
    response = await log_in(anonymous, password=PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/admin/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tu_admin_session="))
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes and "secure" not in attributes

    dashboard = await anonymous.get("/admin/")
    assert dashboard.status_code == 200 and "Analyses today" in dashboard.text and "alice" in dashboard.text
    assert (await anonymous.get("/api/companies")).status_code == 200, "an admin session satisfies management endpoints"

    token = await page_token(anonymous, "/admin/")
    out = await anonymous.post("/admin/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/admin/login?logged_out=1"
    assert (await anonymous.get("/admin/", follow_redirects=False)).status_code == 303
    assert (await anonymous.get("/api/companies")).status_code == 401


async def test_a_copied_session_cookie_dies_with_a_password_change(
    anonymous: AsyncTestClient, settings: Settings
) -> None:
    await log_in(anonymous, "mallory", PASSWORD)
    stolen = dict(anonymous.cookies)
    assert (await anonymous.get("/admin/", follow_redirects=False)).status_code == 200
    await _operator(settings, "change_admin_password", "mallory", "an entirely new passphrase")
    anonymous.cookies.clear()
    anonymous.cookies.update(stolen)
    assert (await anonymous.get("/admin/", follow_redirects=False)).status_code == 303


async def test_a_cookie_saved_before_logout_opens_nothing_after_it_on_any_process(
    anonymous: AsyncTestClient, settings: Settings
) -> None:
    await log_in(anonymous, password=PASSWORD)
    saved = dict(anonymous.cookies)
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as other_process:
        # A second session of the same admin, on another process: the logout ends it too.
        await log_in(other_process, password=PASSWORD)
        assert (await other_process.get("/admin/", follow_redirects=False)).status_code == 200
        token = await page_token(anonymous, "/admin/")
        await anonymous.post("/admin/logout", data={"_csrf_token": token}, follow_redirects=False)
        assert (await other_process.get("/admin/", follow_redirects=False)).status_code == 303
        assert (await other_process.get("/api/companies")).status_code == 401
    anonymous.cookies.clear()
    anonymous.cookies.update(saved)
    assert (await anonymous.get("/admin/", follow_redirects=False)).status_code == 303
    assert (await anonymous.get("/api/companies")).status_code == 401
    assert (await log_in(anonymous, password=PASSWORD)).status_code == 303, "logging in again works"
    assert (await anonymous.get("/admin/", follow_redirects=False)).status_code == 200


async def test_failed_logins_are_throttled_in_the_database_for_every_process(
    anonymous: AsyncTestClient, settings: Settings
) -> None:
    for _ in range(3):
        assert (await log_in(anonymous, "bob", "wrong password!")).status_code == 401
    # A second app with its own engine and pool, as another worker process would have.
    async with AsyncTestClient(app=create_http_app(settings), timeout=120) as other_process:
        locked = await log_in(other_process, "bob", PASSWORD)
        assert locked.status_code == 429 and "Too many failed logins" in locked.text
        assert int(locked.headers["retry-after"]) >= 1


async def test_nothing_secret_reaches_the_logs(anonymous: AsyncTestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await anonymous.get("/api/companies", headers={"X-API-Key": "leaked-candidate-key-0123"})
    await log_in(anonymous, "alice", "my-secret-typo-password")
    await log_in(anonymous, "my-password-in-the-username-box", "whatever-it-was")
    await log_in(anonymous, password=PASSWORD)
    text = caplog.text
    for secret in (
        "leaked-candidate-key-0123",
        "my-secret-typo-password",
        "my-password-in-the-username-box",
        PASSWORD,
        SERVICE_KEY,
        ADMIN_KEY,
        SECRET,
    ):
        assert secret not in text
    assert "rejected an invalid API key" in text and "failed admin login" in text

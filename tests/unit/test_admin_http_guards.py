"""The guards over HTTP, on the real app and wiring with in-memory fakes: every protected route refuses
anonymous and wrong-role callers; sessions, cookies and CSRF behave."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from domain.access import AccessLevel
from tests.unit.admin_routes import admin_pages, api_routes
from tests.unit.admin_session import csrf_token, log_in, page_token
from tests.unit.http_world import ADMIN_KEY, PASSWORD, SERVICE_KEY, HttpWorld, http_world

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORLD = http_world()
API_ROUTES = api_routes(WORLD.app)
ADMIN_PAGES = admin_pages(WORLD.app)
SAFE = {"GET", "HEAD"}


async def test_the_route_table_has_what_the_issue_lists() -> None:
    paths = {case.path for case in API_ROUTES + ADMIN_PAGES}
    for expected in (
        "/api/companies",
        "/api/teams/1",
        "/api/tickets",
        "/api/training-runs",
        "/api/models",
        "/admin",
        "/admin/companies",
        "/admin/analyses",
        "/admin/tickets",
        "/admin/training-runs",
        "/admin/models",
    ):
        assert expected in paths
    service = {str(case) for case in API_ROUTES if case.level is AccessLevel.SERVICE}
    assert service == {
        "POST /api/analyze",
        "POST /api/analyze/batch",
        "POST /api/analyses/1/feedback",
        "GET /api/analyses/1/similar",
    }


@pytest.fixture
async def world() -> AsyncIterator[HttpWorld]:
    world = http_world()
    await world.add_admin()
    yield world


@pytest.fixture
async def client(world: HttpWorld) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=world.app) as test_client:
        yield test_client


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared() -> AsyncIterator[AsyncTestClient]:
    """One app for the per-route cases: building an app per case would dominate the run time."""
    await WORLD.add_admin()
    async with AsyncTestClient(app=WORLD.app) as test_client:
        yield test_client


@pytest.mark.parametrize("case", API_ROUTES, ids=str)
async def test_every_api_route_refuses_anonymous_and_wrong_keys_with_401(shared: AsyncTestClient, case) -> None:
    shared.cookies.clear()
    for headers in (
        {},
        {"X-API-Key": "not-a-key-0123456789"},
        {"Authorization": "Bearer not-a-key-0123456789"},
        {"Authorization": "Basic " + SERVICE_KEY},
    ):
        response = await shared.request(case.method, case.path, headers=headers, json={})
        assert response.status_code == 401, (case, headers, response.text)
        assert response.json()["error"] in {
            "Missing API key: send it in the X-API-Key header or as 'Authorization: Bearer <key>'.",
            "Invalid API key.",
        }
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("case", [case for case in API_ROUTES if case.level is AccessLevel.ADMIN], ids=str)
async def test_every_management_route_refuses_a_service_key_with_403(shared: AsyncTestClient, case) -> None:
    shared.cookies.clear()
    response = await shared.request(case.method, case.path, headers={"X-API-Key": SERVICE_KEY}, json={})
    assert response.status_code == 403 and "admin API key" in response.json()["error"]
    response = await shared.request(case.method, case.path, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, json={})
    assert response.status_code not in {401, 403}, response.text


@pytest.mark.parametrize("case", [case for case in API_ROUTES if case.level is AccessLevel.SERVICE], ids=str)
async def test_service_routes_take_a_service_key(shared: AsyncTestClient, case) -> None:
    response = await shared.request(case.method, case.path, headers={"X-API-Key": SERVICE_KEY}, json={})
    assert response.status_code not in {401, 403}, response.text


@pytest.mark.parametrize("case", ADMIN_PAGES, ids=str)
async def test_every_admin_page_sends_anonymous_and_api_key_callers_to_the_login(shared: AsyncTestClient, case) -> None:
    shared.cookies.clear()
    token = await page_token(shared, "/admin/login")
    for headers in ({}, {"X-API-Key": ADMIN_KEY}):
        data = None if case.method in SAFE else {"_csrf_token": token}
        response = await shared.request(case.method, case.path, headers=headers, data=data, follow_redirects=False)
        assert response.status_code == 303, (case, response.text)
        assert response.headers["location"].startswith("/admin/login?next=%2Fadmin")


@pytest.mark.parametrize("case", [case for case in ADMIN_PAGES if case.method not in SAFE], ids=str)
async def test_every_admin_form_post_without_a_csrf_token_is_refused(shared: AsyncTestClient, case) -> None:
    assert (await log_in(shared)).status_code == 303
    response = await shared.request(case.method, case.path, data={"name": "x"}, follow_redirects=False)
    assert response.status_code == 403 and "reload the page" in response.text


async def test_without_configured_keys_the_api_is_open() -> None:
    async with AsyncTestClient(app=http_world(keys=False).app) as open_client:
        assert (await open_client.get("/api/companies")).status_code == 200
        assert (await open_client.post("/api/companies", json={"name": "Initech"})).status_code == 201


async def test_login_sets_an_httponly_samesite_session_cookie_and_opens_the_pages(client: AsyncTestClient) -> None:
    response = await log_in(client, next_page="/admin/models")
    assert response.status_code == 303 and response.headers["location"] == "/admin/models"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tu_admin_session="))
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "httponly" in attributes and "samesite=lax" in attributes and "secure" not in attributes
    page = await client.get("/admin/", follow_redirects=False)
    assert page.status_code == 200 and "alice" in page.text
    for header in ("content-security-policy", "x-frame-options", "x-content-type-options"):
        assert header in page.headers
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("base_url", "always"), [("https://testserver.local", False), ("http://testserver.local", True)]
)
async def test_cookies_are_secure_over_tls_or_when_configured(base_url: str, always: bool) -> None:
    world = http_world(cookie_secure=always)
    await world.add_admin()
    async with AsyncTestClient(app=world.app, base_url=base_url) as tls_client:
        login_page = await tls_client.get("/admin/login")
        csrf_cookie = next(c for c in login_page.headers.get_list("set-cookie") if c.startswith("tu_csrftoken="))
        assert "secure" in [part.strip().lower() for part in csrf_cookie.split(";")]
        # Sent by hand: a client rightly keeps a Secure cookie to itself over plain HTTP.
        cookie_value = csrf_cookie.split(";")[0]
        token = csrf_token(login_page.text)
        response = await tls_client.post(
            "/admin/login",
            data={"username": "alice", "password": PASSWORD, "_csrf_token": token},
            headers={"Cookie": cookie_value},
            follow_redirects=False,
        )
        assert response.status_code == 303
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("tu_admin_session="))
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]


async def test_a_wrong_password_shows_the_form_again_with_401(client: AsyncTestClient) -> None:
    response = await log_in(client, password="not the password")
    assert response.status_code == 401 and "Wrong username or password." in response.text
    assert not any(c.startswith("tu_admin_session=") for c in response.headers.get_list("set-cookie"))


async def test_repeated_failures_are_answered_429_with_retry_after(client: AsyncTestClient) -> None:
    for _ in range(5):
        assert (await log_in(client, password="not the password")).status_code == 401
    locked = await log_in(client)
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert int(locked.headers["retry-after"]) > 0


async def test_login_without_a_csrf_token_is_refused(client: AsyncTestClient) -> None:
    await client.get("/admin/login")
    response = await client.post(
        "/admin/login", data={"username": "alice", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin", "/api/companies", "javascript:x"])
async def test_login_never_redirects_off_the_admin_site(client: AsyncTestClient, target: str) -> None:
    response = await log_in(client, next_page=target)
    assert response.headers["location"] == "/admin/"


async def test_logout_ends_the_session(client: AsyncTestClient) -> None:
    await log_in(client)
    token = await page_token(client, "/admin/")
    response = await client.post("/admin/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login?logged_out=1"
    assert (await client.get("/admin/", follow_redirects=False)).status_code == 303


async def test_a_new_password_ends_existing_sessions(world: HttpWorld, client: AsyncTestClient) -> None:
    await log_in(client)
    assert (await client.get("/admin/", follow_redirects=False)).status_code == 200
    await world.container.change_admin_password().execute("alice", "another good password")
    assert (await client.get("/admin/", follow_redirects=False)).status_code == 303


async def test_an_admin_session_opens_the_api_but_writes_need_the_csrf_header(client: AsyncTestClient) -> None:
    await log_in(client)
    assert (await client.get("/api/companies")).status_code == 200
    refused = await client.post("/api/companies", json={"name": "Initech"})
    assert refused.status_code == 403 and "X-CSRFToken" in refused.json()["error"]
    token = client.cookies.get("tu_csrftoken")
    created = await client.post("/api/companies", json={"name": "Initech"}, headers={"X-CSRFToken": token})
    assert created.status_code == 201


async def test_form_errors_are_shown_next_to_their_field(client: AsyncTestClient) -> None:
    await log_in(client)
    token = await page_token(client, "/admin/companies/new")
    response = await client.post(
        "/admin/companies/new", data={"name": "  ", "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 400
    assert re.search(
        r'id="name"[^>]*aria-invalid="true"[^>]*>\s*<p class="field-error" id="name-error">must be a non-empty',
        response.text,
    )


async def test_an_unknown_entity_is_an_html_404_page(client: AsyncTestClient) -> None:
    await log_in(client)
    response = await client.get("/admin/companies/424242")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Company 424242 does not exist" in response.text

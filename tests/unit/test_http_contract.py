"""The API's contract at the edge, on the real app and wiring with in-memory fakes: typed bodies refuse a wrong
value with a 400 naming its field, and hostile input (ids past 64 bits, bodies that are not UTF-8 or nest a
thousand levels deep) is a 400 too, never a 5xx and never half-written data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from tests.unit.admin_routes import api_routes
from tests.unit.http_world import HttpWorld, http_world

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORLD = http_world(keys=False)
TOO_BIG = 2**63
ROUTES_WITH_AN_ID = [case for case in api_routes(WORLD.app) if "/1" in case.path]
ROUTES_WITH_A_BODY = [
    "POST /api/analyze",
    "POST /api/companies",
    "PATCH /api/companies/1",
    "POST /api/companies/1/teams",
    "PATCH /api/teams/1",
    "POST /api/tickets",
    "POST /api/analyses/1/feedback",
]
NOT_UTF8 = b'{"description": "caf\xe9 \xff\xfe", "company_id": 1, "name": "\xc3\x28", "text": "\xed\xa0\x80"}'
DEEP = (
    b'{"description": "printer", "company_id": 1, "name": "x", "text": "x", "category": "x", "extra": '
    + b"[" * 1_000
    + b"]" * 1_000
    + b"}"
)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client() -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=WORLD.app) as test_client:
        assert (await test_client.post("/api/companies", json={"name": "Initech"})).status_code == 201
        team = await test_client.post("/api/companies/1/teams", json={"name": "Desk", "category": "Hardware"})
        assert team.status_code == 201
        yield test_client


def _stored(world: HttpWorld) -> tuple[int, ...]:
    """What the store holds, and how often it was written."""
    store = world.uow.store
    return len(store.companies), len(store.teams), len(store.analyses), len(store.labelled), store.commits


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "message"),
    [
        ("POST", "/api/analyze", {"company_id": 1}, "description", "is required"),
        ("POST", "/api/analyze", {"description": 42, "company_id": 1}, "description", "must be a string"),
        ("POST", "/api/analyze", {"description": "x", "company_id": "1"}, "company_id", "must be an integer"),
        ("POST", "/api/analyze", {"description": "x", "company_id": 1.5}, "company_id", "must be an integer"),
        ("POST", "/api/analyze", {"description": "x", "company_id": True}, "company_id", "must be an integer"),
        ("POST", "/api/analyze", {"description": "x"}, "company_id", "is required"),
        ("POST", "/api/analyze", {"description": "x", "company_id": 0}, "company_id", "must be a positive integer"),
        (
            "POST",
            "/api/analyze",
            {"description": "x", "company_id": TOO_BIG},
            "company_id",
            "must be at most 9223372036854775807",
        ),
        (
            "POST",
            "/api/analyze",
            {"description": "x", "company_id": 10**30},
            "company_id",
            "must be at most 9223372036854775807",
        ),
        (
            "POST",
            "/api/analyze",
            {"description": " ", "company_id": 1},
            "description",
            "must not be empty or whitespace only",
        ),
        ("POST", "/api/companies", {"name": "Globex", "auto_assign": "true"}, "auto_assign", "must be true or false"),
        ("POST", "/api/companies", {"name": "x" * 201}, "name", "must be at most 200 characters"),
        ("PATCH", "/api/companies/1", {"auto_assign": "yes"}, "auto_assign", "must be true or false"),
        ("POST", "/api/companies/1/teams", {"name": "Ops", "category": 3}, "category", "must be a string or null"),
        ("PATCH", "/api/teams/1", {"name": ["Ops"]}, "name", "must be a string"),
        (
            "POST",
            "/api/tickets",
            {"text": "vpn down", "category": "Access", "team_id": 0},
            "team_id",
            "must be a positive integer",
        ),
        (
            "POST",
            "/api/tickets",
            {"text": "vpn down", "category": "Access", "team_id": 2**31},
            "team_id",
            "must be at most 2147483647",
        ),
        (
            "POST",
            "/api/tickets",
            {"tickets": [{"text": "a", "category": "b"}, {"text": 7, "category": "b"}]},
            "tickets[1].text",
            "must be a string",
        ),
        (
            "POST",
            "/api/tickets",
            {"tickets": [{"text": "a", "category": "b"}, {"text": "c"}]},
            "tickets[1].category",
            "is required",
        ),
        (
            "POST",
            "/api/tickets",
            {"tickets": [{"text": "a", "category": "b", "priority": "urgent"}]},
            "tickets[0].priority",
            "must be one of high, medium, low",
        ),
        (
            "POST",
            "/api/tickets",
            {"tickets": [{"text": "a", "category": "b"}, {"text": " ", "category": "b"}]},
            "tickets[1].text",
            "must be a non-empty string",
        ),
        ("POST", "/api/tickets", {"tickets": "all of them"}, "tickets", "must be a list"),
        ("POST", "/api/tickets", [{"text": "a", "category": "b"}], "body", "must be a JSON object"),
        ("POST", "/api/analyses/1/feedback", {"team_id": TOO_BIG}, "team_id", "must be at most 2147483647"),
    ],
)
async def test_a_wrong_value_is_a_400_naming_its_field_and_nothing_is_written(
    client: AsyncTestClient, method: str, path: str, body: object, field: str, message: str
) -> None:
    before = _stored(WORLD)
    response = await client.request(method, path, json=body)
    assert (response.status_code, response.json()) == (400, {"error": f"{field}: {message}", "field": field})
    assert _stored(WORLD) == before


async def test_unknown_extra_fields_are_ignored_and_a_patch_changes_only_what_it_gives(client: AsyncTestClient) -> None:
    created = await client.post("/api/companies", json={"name": "Umbrella", "auto_assign": False, "ticket_id": 9})
    assert created.status_code == 201
    company = created.json()
    patched = await client.patch(f"/api/companies/{company['id']}", json={"name": None, "auto_prioritize": False})
    assert patched.json() == {**company, "auto_prioritize": False}


@pytest.mark.parametrize("path", ["/api/analyses/{id}/feedback"])
async def test_an_empty_feedback_body_confirms_the_analysis(client: AsyncTestClient, path: str) -> None:
    analysis = (await client.post("/api/analyze", json={"description": "my laptop is broken", "company_id": 1})).json()
    response = await client.post(path.format(id=analysis["analysis_id"]), content=b"")
    assert response.status_code == 201 and response.json()["corrected"] is False


@pytest.mark.parametrize("body", [b"", b"  \n", b"null", b"[]", b'"text"', b"{", b'{"description": "x",}'])
async def test_a_body_that_is_no_json_object_names_the_body(client: AsyncTestClient, body: bytes) -> None:
    response = await client.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["field"] == "body"


@pytest.mark.parametrize("route", ROUTES_WITH_A_BODY)
@pytest.mark.parametrize(
    ("body", "message"),
    [(NOT_UTF8, "must be UTF-8 encoded JSON"), (DEEP, "is nested too deeply")],
    ids=["utf8", "deep"],
)
async def test_hostile_bodies_are_a_400_not_a_500(
    client: AsyncTestClient, route: str, body: bytes, message: str
) -> None:
    method, path = route.split(" ")
    before = _stored(WORLD)
    response = await client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"error": f"body: {message}", "field": "body"})
    assert _stored(WORLD) == before


@pytest.mark.parametrize("case", ROUTES_WITH_AN_ID, ids=str)
@pytest.mark.parametrize("bad_id", ["0", "-1", str(TOO_BIG), "9" * 30])
async def test_an_id_out_of_bounds_is_a_400_naming_the_parameter(client: AsyncTestClient, case, bad_id: str) -> None:
    before = _stored(WORLD)
    valid_body = {"name": "Ops", "text": "vpn down", "category": "Access"}  # so that only the id is wrong
    response = await client.request(case.method, case.path.replace("/1", f"/{bad_id}", 1), json=valid_body)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"].endswith("_id") and body["error"].startswith(f"{body['field']}: must be")
    assert _stored(WORLD) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/tickets?offset=-1", "offset"),
        (f"/api/tickets?offset={TOO_BIG}", "offset"),
        ("/api/tickets?limit=0", "limit"),
        ("/api/tickets?limit=501", "limit"),
        ("/api/tickets?limit=ten", "limit"),
        (f"/api/training-runs?limit={10**30}", "limit"),
    ],
)
async def test_a_query_number_out_of_bounds_is_a_400_naming_it(client: AsyncTestClient, query: str, field: str) -> None:
    response = await client.get(query)
    assert response.status_code == 400 and response.json()["field"] == field


async def test_the_largest_offset_is_still_an_answer(client: AsyncTestClient) -> None:
    response = await client.get(f"/api/tickets?offset={TOO_BIG - 1}&limit=500")
    assert response.status_code == 200 and response.json()["items"] == []

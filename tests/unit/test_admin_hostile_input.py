"""Admin pages given numbers no store can hold: the normal error page (or the form's field error) with 400,
never a 500, on the real app and wiring with in-memory fakes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from tests.unit.admin_routes import admin_pages
from tests.unit.admin_session import logged_in, page_token
from tests.unit.http_world import http_world

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORLD = http_world()
TOO_BIG = 2**63
PAGES_WITH_AN_ID = [case for case in admin_pages(WORLD.app) if "/1" in case.path]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def admin() -> AsyncIterator[AsyncTestClient]:
    await WORLD.add_admin()
    async with logged_in(WORLD.app) as client:
        yield client


@pytest.mark.parametrize("case", PAGES_WITH_AN_ID, ids=str)
@pytest.mark.parametrize("bad_id", ["0", str(TOO_BIG), "9" * 30])
async def test_an_id_out_of_bounds_is_the_error_page_with_400(admin: AsyncTestClient, case, bad_id: str) -> None:
    data = None if case.method == "GET" else {"_csrf_token": await page_token(admin), "name": "x"}
    response = await admin.request(
        case.method, case.path.replace("/1", f"/{bad_id}", 1), data=data, follow_redirects=False
    )
    assert response.status_code == 400, (case, response.text)
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("page", ["/admin/analyses", "/admin/tickets"])
@pytest.mark.parametrize("number", [str(TOO_BIG), "9" * 30, "9" * 5_000])
async def test_a_page_number_past_any_store_is_a_400_naming_it(admin: AsyncTestClient, page: str, number: str) -> None:
    response = await admin.get(f"{page}?page={number}")
    assert response.status_code == 400 and "page: must be at most" in response.text


@pytest.mark.parametrize("page", ["/admin/analyses", "/admin/tickets"])
@pytest.mark.parametrize("number", ["\u00b2", "\u0663", "-2", "0", "two"])
async def test_a_page_number_that_is_no_number_shows_the_first_page(
    admin: AsyncTestClient, page: str, number: str
) -> None:
    response = await admin.get(page, params={"page": number})
    assert response.status_code == 200


@pytest.mark.parametrize("company_id", [str(TOO_BIG), "9" * 30, "9" * 5_000, "\u00b2"])
async def test_a_company_filter_out_of_bounds_is_a_field_error(admin: AsyncTestClient, company_id: str) -> None:
    response = await admin.get("/admin/analyses", params={"company_id": company_id})
    assert response.status_code == 400
    assert re.search(r'id="company_id-error">must be (at most 9223372036854775807|a whole number)', response.text)


@pytest.mark.parametrize(("company_id", "shown"), [("+7", 200), ("-7", 400), ("0", 400)])
async def test_a_signed_company_filter_reads_as_before(admin: AsyncTestClient, company_id: str, shown: int) -> None:
    assert (await admin.get("/admin/analyses", params={"company_id": company_id})).status_code == shown

"""Logging in to the admin site from a test client: the CSRF token a page carries, and the login form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.unit.http_world import PASSWORD

CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token a rendered page carries in its forms."""
    match = CSRF_FIELD.search(html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


async def page_token(client: AsyncTestClient, path: str = "/admin/") -> str:
    """The CSRF token of the page at `path`, fetched with the client's cookies."""
    return csrf_token((await client.get(path)).text)


async def log_in(
    client: AsyncTestClient, username: str = "alice", password: str = PASSWORD, next_page: str = "/admin/"
):
    """Posts the login form with the token the login page gives; the response is not followed."""
    token = await page_token(client, "/admin/login")
    return await client.post(
        "/admin/login",
        data={"username": username, "password": password, "next": next_page, "_csrf_token": token},
        follow_redirects=False,
    )


@asynccontextmanager
async def logged_in(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    """A client of `app` with alice's admin session open."""
    async with AsyncTestClient(app=app) as client:
        assert (await log_in(client)).status_code == 303
        yield client

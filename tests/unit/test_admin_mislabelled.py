"""The "Likely mislabelled" admin page on the real app and wiring, over the in-memory store: it lists the latest
run's candidates, and its confirm, change and exclude forms (CSRF-protected) record the logged-in admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from domain.labelled_tickets import LabelledTicket
from domain.mislabels import MislabelCandidate, Resolution
from tests.unit.admin_session import log_in, logged_in, page_token
from tests.unit.http_world import HttpWorld, http_world

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def world() -> AsyncIterator[HttpWorld]:
    world = http_world()
    await world.add_admin()
    store = world.uow.store
    for n, (text, label) in enumerate(
        [("my laptop <b>won't</b> boot", "Access"), ("reset my password", "Storage"), ("disk quota full", "Storage")],
        start=1,
    ):
        store.labelled[n] = LabelledTicket(text, label, "test", WHEN, id=n)
    store.next_id = 10
    store.mislabel_candidates = {
        c.id: c
        for c in [
            MislabelCandidate(4, 1, "Access", "Hardware", 0.02, id=11),
            MislabelCandidate(4, 2, "Storage", "Access", 0.07, id=12),
            MislabelCandidate(3, 3, "Storage", "Hardware", 0.01, id=13),
        ]
    }
    yield world


@pytest.fixture
async def client(world: HttpWorld) -> AsyncIterator[AsyncTestClient]:
    async with logged_in(world.app) as test_client:
        yield test_client


async def decide(client: AsyncTestClient, candidate_id: int, **fields: str):
    token = await page_token(client, "/admin/mislabelled")
    return await client.post(
        f"/admin/mislabelled/{candidate_id}", data={"_csrf_token": token, **fields}, follow_redirects=False
    )


async def test_the_page_lists_the_latest_runs_candidates_escaped_and_is_in_the_nav(client: AsyncTestClient) -> None:
    response = await client.get("/admin/mislabelled")
    assert response.status_code == 200
    html = response.text
    assert '<a href="/admin/mislabelled" aria-current="page">Likely mislabelled</a>' in html
    assert "2 candidate(s) from training run" in html and 'id="candidate-13"' not in html, "only the latest run"
    assert html.index('id="candidate-11"') < html.index('id="candidate-12"'), "most unlikely first"
    assert "my laptop &lt;b&gt;won&#39;t&lt;/b&gt; boot" in html and "<b>won't</b>" not in html
    filtered = await client.get("/admin/mislabelled", params={"label": "Storage"})
    assert 'id="candidate-12"' in filtered.text and 'id="candidate-11"' not in filtered.text
    assert (await client.get("/admin/mislabelled", params={"label": "x" * 101})).status_code == 400


async def test_confirm_change_and_exclude_record_the_logged_in_admin(world: HttpWorld, client: AsyncTestClient) -> None:
    store = world.uow.store
    changed = await decide(client, 11, action="change", new_label="Hardware", label="Access", page="1")
    assert changed.status_code == 303 and changed.headers["location"] == "/admin/mislabelled?label=Access"
    assert store.labelled[1].category == "Hardware"
    assert (store.mislabel_candidates[11].resolution, store.mislabel_candidates[11].resolved_by) == (
        Resolution.CHANGED,
        "alice",
    )
    excluded = await decide(client, 12, action="exclude")
    assert excluded.status_code == 303 and excluded.headers["location"] == "/admin/mislabelled"
    assert store.ticket_status[2] == ("excluded", "alice", world.clock.now())
    store.mislabel_candidates[13] = MislabelCandidate(5, 3, "Storage", "Hardware", 0.01, id=13)
    assert (await decide(client, 13, action="confirm")).status_code == 303
    assert store.mislabel_candidates[13].resolution is Resolution.CONFIRMED and store.labelled[3].category == "Storage"
    page = (await client.get("/admin/mislabelled")).text
    assert "Ticket 3: label confirmed." in page and "by alice" in page


async def test_bad_decisions_are_4xx_and_change_nothing(world: HttpWorld, client: AsyncTestClient) -> None:
    store = world.uow.store
    assert (await decide(client, 11, action="rename")).status_code == 400
    assert (await decide(client, 11, action="change", new_label="")).status_code == 400
    assert (await decide(client, 999, action="confirm")).status_code == 404
    no_token = await client.post("/admin/mislabelled/11", data={"action": "exclude"}, follow_redirects=False)
    assert no_token.status_code == 403
    assert store.mislabel_candidates[11].resolution is None and store.ticket_status == {}
    await decide(client, 11, action="confirm")
    assert (await decide(client, 11, action="exclude")).status_code == 400, "resolved once"


async def test_without_candidates_the_page_says_when_they_come() -> None:
    world = http_world()
    await world.add_admin()
    async with AsyncTestClient(app=world.app) as client:
        await log_in(client)
        response = await client.get("/admin/mislabelled")
    assert response.status_code == 200 and 'id="mislabel-empty"' in response.text

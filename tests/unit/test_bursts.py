"""Bursts: the top terms, the service that reads the window through the ports, groups it off the event loop and
refreshes at most every interval, and the gauge on /metrics (the grouping itself: tests/burst_finder_contract.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from adapters.outbound.metrics.prometheus_metrics import MULTIPROC_ENV, PrometheusExposition, PrometheusMetrics
from application.services.bursts import BurstWatch
from domain.analysis import TicketAnalysis
from domain.companies import Company
from domain.similar_tickets import StoredVector, pack_vector
from domain.ticket_groups import top_terms
from tests.burst_finder_contract import POLICY, T0, direction, near
from tests.unit.admin_session import logged_in
from tests.unit.fake_burst_finder import ReferenceBurstFinder
from tests.unit.fakes import FakeMetrics, FakeUnitOfWorkFactory, FixedClock
from tests.unit.http_world import http_world


def test_top_terms_prefer_the_groups_own_words() -> None:
    group = ["outlook crashes on start", "outlook crashes again", "outlook crash when opening"]
    background = group + ["printer offline", "password reset please", "new laptop request", "outlook question"]
    assert top_terms(group, background, 2) == ("outlook", "crashes")


async def test_the_service_reads_the_window_groups_it_off_the_loop_and_refreshes_at_most_every_interval() -> None:
    uow = FakeUnitOfWorkFactory()
    store = uow.store
    store.companies[1] = Company(1, "Acme")
    store.companies[2] = Company(2, "Globex")
    clock = FixedClock(T0 + timedelta(minutes=50))
    outage = direction(5)

    def add(company: int, vector: list[float] | tuple[float, ...], minutes: float, text: str) -> None:
        analysis_id = store.new_id()
        at = T0 + timedelta(minutes=minutes)
        store.analyses[analysis_id] = TicketAnalysis(company, text, None, None, None, None, "v1", at, id=analysis_id)
        vector_id = store.new_id()
        store.ticket_vectors[vector_id] = StoredVector(
            company, "v1", pack_vector(vector), at, analysis_id=analysis_id, id=vector_id
        )

    for i in range(5):
        add(1, near(outage, i), 20 + i, "SAP login fails with error 500")
    add(1, near(outage, 9), -120, "SAP login fails with error 500")  # before the window
    for i in range(4):
        add(2, near(outage, 20 + i), 20 + i, "SAP login fails with error 500")
    metrics, finder = FakeMetrics(), ReferenceBurstFinder()
    watch = BurstWatch(uow, clock, metrics, finder, POLICY, refresh_seconds=30, max_tickets=100)

    report = await watch.current()
    assert finder.threads and threading.get_ident() not in finder.threads  # the loop keeps serving meanwhile
    (burst,) = report.bursts
    assert burst.company_id == 1 and burst.size == 5
    assert [t.text for t in burst.tickets] == ["SAP login fails with error 500"] * 5
    assert all(t.analysis_id is not None for t in burst.tickets)
    assert metrics.burst_counts == {1: 1, 2: 0}
    assert report.company_names[1] == "Acme"

    add(2, near(outage, 30), 45, "SAP login fails with error 500")  # Globex's fifth
    clock.advance(seconds=10)
    assert await watch.current() is report  # not due yet
    clock.advance(seconds=20)
    again = await watch.current()
    assert sorted(b.company_id for b in again.bursts) == [1, 2]
    assert metrics.burst_counts == {1: 1, 2: 1}


def test_the_gauge_is_on_the_metrics_page() -> None:
    PrometheusMetrics().bursts({7: 2, 8: 0})
    page = PrometheusExposition().render({}).body.decode()
    assert 'ticket_utils_bursts{company_id="7"} 2.0' in page
    assert 'ticket_utils_bursts{company_id="8"} 0.0' in page


async def test_a_deleted_company_leaves_the_gauge_and_an_ended_burst_falls_to_zero() -> None:
    uow = FakeUnitOfWorkFactory()
    store = uow.store
    store.companies[31] = Company(31, "Deleted Co")
    store.companies[32] = Company(32, "Calm Co")
    outage = direction(7)
    for company in (31, 32):
        for i in range(5):
            analysis_id, at = store.new_id(), T0 + timedelta(minutes=i)
            analysis = TicketAnalysis(company, "Payroll export fails", None, None, None, None, "v1", at, id=analysis_id)
            store.analyses[analysis_id] = analysis
            store.ticket_vectors[store.new_id()] = StoredVector(
                company, "v1", pack_vector(near(outage, company * 10 + i)), at, analysis_id=analysis_id
            )
    clock = FixedClock(T0 + timedelta(minutes=30))
    watch = BurstWatch(
        uow, clock, PrometheusMetrics(), ReferenceBurstFinder(), POLICY, refresh_seconds=30, max_tickets=100
    )
    await watch.current()
    page = PrometheusExposition().render({}).body.decode()
    assert 'ticket_utils_bursts{company_id="31"} 1.0' in page
    assert 'ticket_utils_bursts{company_id="32"} 1.0' in page

    del store.companies[31]
    clock.advance(minutes=65)  # the window no longer holds Calm Co's tickets
    await watch.current()
    page = PrometheusExposition().render({}).body.decode()
    assert 'ticket_utils_bursts{company_id="31"}' not in page
    assert 'ticket_utils_bursts{company_id="32"} 0.0' in page


def test_with_several_processes_a_deleted_company_s_series_falls_to_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """prometheus-client cannot remove a series from the processes' shared files, so it is set to 0 there."""
    metrics = PrometheusMetrics()
    metrics.bursts({41: 3})
    with monkeypatch.context() as patched:
        patched.setenv(MULTIPROC_ENV, "/nonexistent")  # only read to choose; this process's values stay in memory
        metrics.bursts({})
    page = PrometheusExposition().render({}).body.decode()
    assert 'ticket_utils_bursts{company_id="41"} 0.0' in page


async def test_the_dashboard_shows_a_burst_with_its_tickets_and_metrics_count_it() -> None:
    world = http_world()
    await world.add_admin()
    store = world.uow.store
    store.companies[1] = Company(1, "Acme")
    world.clock.moment = T0 + timedelta(minutes=30)
    outage = direction(6)
    for i in range(5):
        analysis_id = store.new_id()
        at = T0 + timedelta(minutes=i)
        text = f"Wifi <b>down</b> in building {i}"
        store.analyses[analysis_id] = TicketAnalysis(1, text, None, None, None, None, "v1", at, id=analysis_id)
        store.ticket_vectors[store.new_id()] = StoredVector(
            1, "v1", pack_vector(near(outage, i)), at, analysis_id=analysis_id
        )
    async with logged_in(world.app) as client:
        page = (await client.get("/admin/")).text
        scrape = (await client.get("/metrics")).text
    assert "<strong>5 tickets</strong> of Acme" in page
    assert page.count('href="/admin/analyses/') >= 5
    assert "Wifi &lt;b&gt;down&lt;/b&gt;" in page  # ticket texts are escaped
    assert 'ticket_utils_bursts{company_id="1"} 1.0' in scrape

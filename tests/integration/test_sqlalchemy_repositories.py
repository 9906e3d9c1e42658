"""The SQLAlchemy persistence adapter against real databases: a SQLite file and MariaDB.

MariaDB is required: when it cannot be reached these tests fail with the reason, they never skip. The URL
comes from TEST_MYSQL_URL; the database in it is created when missing and migrated once per session.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.sqlalchemy.engine import SqlAlchemyStorageHealth, create_engine_for
from adapters.outbound.persistence.sqlalchemy.migrate import alembic_config, upgrade_to_head
from adapters.outbound.persistence.sqlalchemy.repositories.labelled_tickets import INSERT_BATCH_BYTES
from adapters.outbound.persistence.sqlalchemy.tables import analyses, metadata
from adapters.outbound.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.analysis import TicketAnalysis
from domain.companies import Company, CompanyFlags, Team
from domain.errors import StorageUnavailable
from domain.labelled_tickets import LabelledTicket
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction, LabelScore
from domain.priority import Priority
from domain.routing import RoutingReason, TeamAssignment
from domain.training_runs import RunStatus, TrainingProgress, TrainingRun

pytestmark = pytest.mark.integration

DEFAULT_MYSQL_URL = "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_test"
MYSQL_URL = os.environ.get("TEST_MYSQL_URL", DEFAULT_MYSQL_URL)
STALE_AFTER = timedelta(hours=6)


def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    """Runs code that calls asyncio.run (migrations) away from pytest-asyncio's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


async def _create_database(url: str) -> None:
    sa_url = make_url(url)
    name = sa_url.database
    if not name:
        raise ValueError("TEST_MYSQL_URL must name a database")
    server = create_engine_for(sa_url.set(database=""))
    try:
        async with server.begin() as connection:
            # Dropped first: a database left at another schema revision by an earlier run must not leak in.
            await connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
            await connection.exec_driver_sql(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
    finally:
        await server.dispose()


def _prepare_mariadb(url: str) -> None:
    asyncio.run(_create_database(url))
    upgrade_to_head(url)


@pytest.fixture(scope="session")
def mariadb_url() -> str:
    try:
        _in_thread(_prepare_mariadb, MYSQL_URL)
    except Exception as error:  # noqa: BLE001 - turned into a failure that says what to do
        pytest.fail(
            f"MariaDB is required but {make_url(MYSQL_URL).render_as_string(hide_password=True)} failed: "
            f"{type(error).__name__}: {error}. Start MariaDB and create the ticket_utils user, or point "
            "TEST_MYSQL_URL at a server where the user may create the database.",
            pytrace=False,
        )
    return MYSQL_URL


@pytest.fixture(params=["sqlite", "mariadb"])
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{request.getfixturevalue('tmp_path') / 'ticket_utils.db'}"
        _in_thread(upgrade_to_head, url)
        return url
    return str(request.getfixturevalue("mariadb_url"))


async def _clean(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in (
            "teams", "companies", "analyses", "training_state", "labelled_tickets", "training_runs", "model_versions"
        ):
            await connection.exec_driver_sql(f"DELETE FROM {table}")
        await connection.exec_driver_sql(
            "INSERT INTO training_state (id, analyses_since_trigger, running) VALUES (1, 0, 0)"
        )


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine_for(db_url)
    try:
        await _clean(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> SqlAlchemyUnitOfWorkFactory:
    return SqlAlchemyUnitOfWorkFactory(engine)


def _analysis(company_id: int = 1, **overrides: Any) -> TicketAnalysis:
    values: dict[str, Any] = {
        "company_id": company_id,
        "description": "The printer on floor 3 is on fire. 🔥 " + "x" * 12_000,
        "category": CategoryPrediction(
            "Hardware", 0.8125, "bert-v7", (LabelScore("Network", 0.125), LabelScore("Access", 0.0625))
        ),
        "priority": Priority.HIGH,
        "polarity": -0.734375,
        "assignment": TeamAssignment(42, False, 0.612345, RoutingReason.CATEGORY_MATCH),
        "model_version": "bert-v7",
        "created_at": datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    }
    values.update(overrides)
    return TicketAnalysis(**values)


async def test_company_round_trip(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        acme = await uow.companies.add(Company(None, "Acme", CompanyFlags(True, False, True)))
        globex = await uow.companies.add(Company(None, "Globex"))
        await uow.commit()
    assert acme.id is not None and globex.id is not None and acme.id != globex.id

    async with uow_factory() as uow:
        assert await uow.companies.get(acme.id) == acme
        assert await uow.companies.list() == [acme, globex]
        assert await uow.companies.get(acme.id + globex.id + 1000) is None
        renamed = Company(acme.id, "Acme Ltd", CompanyFlags(False, True, False))
        await uow.companies.update(renamed)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.companies.get(acme.id) == renamed
        await uow.companies.delete(acme.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.companies.get(acme.id) is None
        assert await uow.companies.list() == [globex]


async def test_team_round_trip_keeps_the_embedding_exact(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    rng = random.Random(7)
    embedding = tuple(rng.uniform(-1, 1) for _ in range(384)) + (0.1, 1e-300, -3.3333333333333335, 0.0)
    async with uow_factory() as uow:
        company = await uow.companies.add(Company(None, "Acme"))
        assert company.id is not None
        billing = await uow.teams.add(Team(None, company.id, "Billing", "Finance", "Invoices, refunds.", embedding))
        bare = await uow.teams.add(Team(None, company.id, "Helpdesk", None, "", ()))
        await uow.commit()
    assert billing.id is not None and bare.id is not None

    async with uow_factory() as uow:
        stored = await uow.teams.get(billing.id)
        assert stored == billing and stored is not None and stored.embedding == embedding
        assert await uow.teams.get(bare.id) == bare
        assert await uow.teams.list_for_company(company.id) == [billing, bare]
        changed = Team(billing.id, company.id, "Billing EU", None, "Only EU invoices. " * 200, (0.5, -0.25))
        await uow.teams.update(changed)
        await uow.teams.delete(bare.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.teams.get(billing.id) == changed
        assert await uow.teams.get(bare.id) is None
        assert await uow.teams.list_for_company(company.id) == [changed]


async def test_deleting_a_company_deletes_its_teams_only(
    uow_factory: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow_factory() as uow:
        acme = await uow.companies.add(Company(None, "Acme"))
        globex = await uow.companies.add(Company(None, "Globex"))
        initech = await uow.companies.add(Company(None, "Initech"))
        assert acme.id and globex.id and initech.id
        await uow.teams.add(Team(None, acme.id, "A1", None, "", (1.0,)))
        await uow.teams.add(Team(None, acme.id, "A2", None, "", (1.0,)))
        kept = await uow.teams.add(Team(None, globex.id, "G1", None, "", (1.0,)))
        await uow.teams.add(Team(None, initech.id, "I1", None, "", (1.0,)))
        await uow.analyses.add(_analysis(acme.id))
        await uow.commit()

    async with uow_factory() as uow:
        await uow.companies.delete(acme.id)
        await uow.commit()
    async with engine.begin() as connection:
        # The foreign key itself cascades, for anyone deleting outside the repository.
        await connection.execute(sa.text("DELETE FROM companies WHERE id = :id"), {"id": initech.id})

    async with uow_factory() as uow:
        assert await uow.teams.list_for_company(acme.id) == []
        assert await uow.teams.list_for_company(initech.id) == []
        assert await uow.teams.list_for_company(globex.id) == [kept]
        assert await uow.analyses.count() == 1, "analyses outlive their company"


async def test_analysis_round_trip_with_every_field_and_with_none(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    full = _analysis(7)
    empty = _analysis(
        8,
        description="plain",
        category=None,
        priority=None,
        polarity=None,
        assignment=None,
        model_version=None,
        created_at=datetime(2025, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2))),
    )
    admin = _analysis(9, category=CategoryPrediction("Other", 0.3, "bert-v7"), assignment=TeamAssignment(
        None, True, None, RoutingReason.NO_TEAMS
    ))
    async with uow_factory() as uow:
        assert await uow.analyses.count() == 0
        stored = [await uow.analyses.add(analysis) for analysis in (full, empty, admin)]
        await uow.commit()
    assert all(item.id is not None for item in stored)
    assert len({item.id for item in stored}) == 3

    async with uow_factory() as uow:
        assert await uow.analyses.count() == 3
        for item in stored:
            assert item.id is not None
            loaded = await uow.analyses.get(item.id)
            assert loaded == item
            assert loaded is not None and loaded.created_at.tzinfo == UTC
        assert await uow.analyses.get(max(item.id or 0 for item in stored) + 1) is None


async def test_an_exception_inside_the_unit_of_work_writes_nothing(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with uow_factory() as uow:
            company = await uow.companies.add(Company(None, "Acme"))
            assert company.id is not None
            await uow.teams.add(Team(None, company.id, "Billing", None, "", (1.0,)))
            await uow.analyses.add(_analysis(company.id))
            await uow.training_state.count_analysis()
            raise RuntimeError("boom")

    async with uow_factory() as uow:
        await uow.companies.add(Company(None, "Uncommitted"))
        await uow.training_state.count_analysis()

    async with uow_factory() as uow:
        assert await uow.companies.list() == []
        assert await uow.analyses.count() == 0
        assert (await uow.training_state.get()).analyses_since_trigger == 0


async def test_counter_and_claim_are_exact_under_concurrency(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    """64 analyses, threshold 10, no release: exactly one claim, which subtracts 10, so the counter ends at 54
    whatever the interleaving; no analysis counted between an increment and the claim is lost."""
    now = datetime.now(UTC)
    tasks, threshold = 64, 10

    async def analyse_then_try_to_claim(index: int) -> tuple[int, bool]:
        async with uow_factory() as uow:
            await uow.analyses.add(_analysis(index + 1, description=f"ticket {index}"))
            count = await uow.training_state.count_analysis()
            await uow.commit()
        async with uow_factory() as uow:
            claimed = await uow.training_state.claim(now, threshold=threshold, stale_before=now - STALE_AFTER)
            await uow.commit()
        return count, claimed

    results = await asyncio.gather(*(analyse_then_try_to_claim(index) for index in range(tasks)))

    async with uow_factory() as uow:
        assert await uow.analyses.count() == tasks
        state = await uow.training_state.get()
    assert sum(claimed for _, claimed in results) == 1
    assert state.running and state.running_since == now and state.last_triggered_at == now
    assert state.analyses_since_trigger == tasks - threshold
    # Before the claim the counter went 1..k (k >= threshold); the claim left k - threshold; later increments
    # continued from there up to the final 54. Some k must explain every count returned, none lost or doubled.
    counts = sorted(count for count, _ in results)
    explanations = [
        k
        for k in range(threshold, tasks + 1)
        if counts == sorted(list(range(1, k + 1)) + list(range(k - threshold + 1, tasks - threshold + 1)))
    ]
    assert explanations, f"an increment was lost or doubled: {counts}"


async def test_threshold_claim_waits_for_the_count(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    now = datetime.now(UTC)
    for expected in range(1, 4):
        async with uow_factory() as uow:
            assert await uow.training_state.count_analysis() == expected
            await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
        assert await uow.training_state.count_analysis() == 4
        assert await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
        await uow.commit()
    async with uow_factory() as uow:
        state = await uow.training_state.get()
    assert state.analyses_since_trigger == 0 and state.running


async def test_threshold_claim_keeps_the_surplus_and_manual_claim_resets(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        for _ in range(7):
            await uow.training_state.count_analysis()
        assert await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.training_state.get()).analyses_since_trigger == 3
        await uow.training_state.release(error=None)
        assert not await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
        assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
        await uow.commit()
    async with uow_factory() as uow:
        state = await uow.training_state.get()
    assert state.analyses_since_trigger == 0 and state.running


async def test_a_stale_running_mark_can_be_claimed_again(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    started = datetime(2025, 5, 1, 8, 0, 0, 123456, tzinfo=UTC)
    async with uow_factory() as uow:
        assert await uow.training_state.claim(started, threshold=None, stale_before=started - STALE_AFTER)
        await uow.commit()

    soon = started + timedelta(hours=1)
    async with uow_factory() as uow:
        assert not await uow.training_state.claim(soon, threshold=None, stale_before=soon - STALE_AFTER)
        await uow.commit()

    later = started + STALE_AFTER + timedelta(microseconds=1)
    async with uow_factory() as uow:
        assert await uow.training_state.claim(later, threshold=None, stale_before=later - STALE_AFTER)
        await uow.commit()
    async with uow_factory() as uow:
        state = await uow.training_state.get()
    assert state.running and state.running_since == later and state.last_triggered_at == later


async def test_release_clears_running_and_records_the_error(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
        await uow.training_state.release(error="could not queue: broker down")
        await uow.commit()
    async with uow_factory() as uow:
        state = await uow.training_state.get()
        assert not state.running and state.running_since is None
        assert state.last_error == "could not queue: broker down" and state.last_triggered_at == now
        assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
        await uow.training_state.release(error=None)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.training_state.get()).last_error == "could not queue: broker down"
        await uow.training_state.record_error("export failed")
        await uow.commit()
    async with uow_factory() as uow:
        state = await uow.training_state.get()
    assert state.last_error == "export failed" and not state.running


async def test_a_missing_training_state_row_is_tolerated_and_recreated(
    uow_factory: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM training_state")
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        state = await uow.training_state.get()
        assert (state.analyses_since_trigger, state.running, state.last_error) == (0, False, None)
        assert await uow.training_state.count_analysis() == 1
        await uow.commit()
    async with engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM training_state")
    async with uow_factory() as uow:
        assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.training_state.get()).running


def _ticket(index: int, **overrides: Any) -> LabelledTicket:
    values: dict[str, Any] = {
        "text": f"Ticket {index}: my laptop will not boot. 🔥",
        "category": ["Hardware", "Access", "HR Support"][index % 3],
        "source": "import",
        "created_at": datetime(2025, 6, 1, 9, 30, 0, 250000, tzinfo=UTC),
    }
    values.update(overrides)
    return LabelledTicket(**values)


async def test_labelled_ticket_round_trip_with_every_field_and_with_none(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    full = _ticket(
        1,
        text="Löschen Sie bitte mein Konto 🙏 " + "y" * 12_000,
        category="A" * 100,
        source="s" * 50,
        priority=Priority.LOW,
        team_id=17,
        created_at=datetime(2025, 1, 1, 23, 30, 0, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    )
    bare = _ticket(2)
    high = _ticket(3, priority=Priority.HIGH, source="feedback")
    async with uow_factory() as uow:
        assert await uow.labelled_tickets.count() == 0
        assert await uow.labelled_tickets.newest_id() is None
        assert await uow.labelled_tickets.add_many([]) == []
        stored = await uow.labelled_tickets.add_many([full, bare, high])
        await uow.commit()
    assert [item.id is not None for item in stored] == [True] * 3
    ids = [item.id or 0 for item in stored]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [replace(item, id=None) for item in stored] == [full, bare, high]

    async with uow_factory() as uow:
        for item in stored:
            loaded = await uow.labelled_tickets.get(item.id or 0)
            assert loaded == item
            assert loaded is not None and loaded.created_at.tzinfo == UTC
        assert await uow.labelled_tickets.get(max(ids) + 1) is None
        assert await uow.labelled_tickets.count() == 3
        assert await uow.labelled_tickets.newest_id() == max(ids)
        assert list(await uow.labelled_ticket_queries.list_page(0, 2)) == [stored[2], stored[1]]
        assert list(await uow.labelled_ticket_queries.list_page(2, 10)) == [stored[0]]
        assert list(await uow.labelled_ticket_queries.list_page(3, 10)) == []
        assert list(await uow.labelled_tickets.all_for_training()) == stored


async def test_add_many_assigns_ids_in_order_across_batches_and_large_texts(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    """2,500 short tickets cross the 1,000-row batch; 450 tickets of 40,000 bytes (18 MB) would overflow
    MariaDB's default 16 MiB packet in one statement, so they must be split by size too."""
    short = [_ticket(index, text=f"short ticket number {index}") for index in range(2_500)]
    long = [_ticket(index, text=f"{index} " + "🔥" * 10_000) for index in range(450)]
    assert sum(len(ticket.text.encode()) for ticket in long) > 4 * INSERT_BATCH_BYTES
    async with uow_factory() as uow:
        stored = await uow.labelled_tickets.add_many(short)
        stored += await uow.labelled_tickets.add_many(long)
        await uow.commit()
    ids = [item.id or 0 for item in stored]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[0] > 0
    assert [replace(item, id=None) for item in stored] == short + long
    async with uow_factory() as uow:
        assert list(await uow.labelled_tickets.all_for_training()) == stored


async def test_importing_43027_tickets_in_one_transaction_is_fast(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    """The size of the real spreadsheet, in the import use case's chunks of 5,000. One INSERT per row would
    take minutes on MariaDB; the multi-row INSERT takes seconds."""
    rng = random.Random(3)
    words = "printer laptop vpn password salary invoice network access broken screen cannot login help".split()
    tickets = [
        _ticket(index, text=" ".join(rng.choice(words) for _ in range(rng.randint(5, 120))) + f" #{index}")
        for index in range(43_027)
    ]
    started = time.perf_counter()
    async with uow_factory() as uow:
        stored: list[LabelledTicket] = []
        for start in range(0, len(tickets), 5_000):
            stored += await uow.labelled_tickets.add_many(tickets[start : start + 5_000])
        await uow.commit()
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"importing 43,027 tickets took {elapsed:.1f}s"
    ids = [item.id or 0 for item in stored]
    assert ids == sorted(ids) and len(set(ids)) == len(tickets)
    async with uow_factory() as uow:
        assert await uow.labelled_tickets.count() == len(tickets)
        assert await uow.labelled_tickets.newest_id() == ids[-1]
        assert list(await uow.labelled_tickets.all_for_training()) == stored


async def test_link_feedback_records_the_labelled_ticket_on_the_analysis(
    uow_factory: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow_factory() as uow:
        confirmed = await uow.analyses.add(_analysis(1))
        untouched = await uow.analyses.add(_analysis(2))
        first, second = await uow.labelled_tickets.add_many([_ticket(1, source="feedback"), _ticket(2)])
        assert confirmed.id and untouched.id and first.id and second.id
        await uow.analyses.link_feedback(confirmed.id, first.id)
        await uow.commit()

    async def links() -> dict[int, int | None]:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.select(analyses.c.id, analyses.c.labelled_ticket_id))
            return {row.id: row.labelled_ticket_id for row in rows}

    assert await links() == {confirmed.id: first.id, untouched.id: None}
    async with uow_factory() as uow:
        await uow.analyses.link_feedback(confirmed.id, second.id)
        await uow.commit()
        assert await uow.analyses.get(confirmed.id) == confirmed, "the link does not change the analysis"
    assert await links() == {confirmed.id: second.id, untouched.id: None}
    async with uow_factory() as uow:
        await uow.analyses.link_feedback(untouched.id, first.id)
        # Not committed: nothing changes.
    assert await links() == {confirmed.id: second.id, untouched.id: None}


def _run(**overrides: Any) -> TrainingRun:
    values: dict[str, Any] = {
        "trigger": "threshold",
        "status": RunStatus.QUEUED,
        "created_at": datetime(2025, 7, 1, 12, 0, 0, 5, tzinfo=UTC),
    }
    values.update(overrides)
    return TrainingRun(**values)


async def test_training_run_round_trip_and_progress_updates(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    queued = _run()
    async with uow_factory() as uow:
        assert await uow.training_runs.last_succeeded() is None
        assert list(await uow.training_runs.list_recent(5)) == []
        stored = await uow.training_runs.add(queued)
        await uow.commit()
    assert stored.id is not None and replace(stored, id=None) == queued

    async with uow_factory() as uow:
        loaded = await uow.training_runs.get(stored.id)
        assert loaded == stored
        assert loaded is not None and loaded.progress == TrainingProgress("queued", 0.0, None)
        assert loaded.metrics == {} and loaded.promoted is False and loaded.status is RunStatus.QUEUED
        assert await uow.training_runs.get(stored.id + 1) is None
        running = replace(
            stored,
            status=RunStatus.RUNNING,
            started_at=datetime(2025, 7, 1, 14, 0, 0, 999999, tzinfo=timezone(timedelta(hours=2))),
            progress=TrainingProgress("train", 42.5, 0.693147180559945),
        )
        await uow.training_runs.update(running)
        await uow.commit()

    async with uow_factory() as uow:
        loaded = await uow.training_runs.get(stored.id)
        assert loaded == running
        assert loaded is not None and loaded.started_at is not None and loaded.started_at.tzinfo == UTC
        assert loaded.progress.loss == 0.693147180559945
        finished = replace(
            running,
            status=RunStatus.SUCCEEDED,
            progress=TrainingProgress("done", 100.0),
            finished_at=datetime(2025, 7, 1, 13, 0, tzinfo=UTC),
            labelled_tickets=43_027,
            newest_ticket_id=2**40,
            model_version_id=9,
            promoted=True,
            decision="promoted: macro-F1 0.81 > 0.79 " + "d" * 70_000,
            metrics={"accuracy": 0.8125, "macro_f1": 0.79, "test_size": 4303, "nested": {"a": [1, 2.5, None, "x"]}},
        )
        await uow.training_runs.update(finished)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.training_runs.get(stored.id) == finished
    failed = replace(_run(trigger="manual"), status=RunStatus.FAILED, error="RuntimeError: " + "e" * 70_000)
    async with uow_factory() as uow:
        stored_failed = await uow.training_runs.add(failed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.training_runs.get(stored_failed.id or 0) == stored_failed


async def test_training_runs_list_recent_and_last_succeeded(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    statuses = [
        RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SUCCEEDED, RunStatus.SKIPPED, RunStatus.RUNNING, RunStatus.QUEUED
    ]
    async with uow_factory() as uow:
        runs = [await uow.training_runs.add(_run(status=status)) for status in statuses]
        await uow.commit()
    async with uow_factory() as uow:
        assert list(await uow.training_runs.list_recent(4)) == runs[::-1][:4]
        assert list(await uow.training_runs.list_recent(100)) == runs[::-1]
        assert await uow.training_runs.last_succeeded() == runs[2]
        await uow.training_runs.update(replace(runs[4], status=RunStatus.SUCCEEDED))
        assert await uow.training_runs.last_succeeded() == replace(runs[4], status=RunStatus.SUCCEEDED)


def _version(name: str, **overrides: Any) -> ModelVersion:
    values: dict[str, Any] = {
        "name": name,
        "path": f"models/{name}",
        "labels": ("Access", "Hardware", "HR Support"),
        "status": ModelStatus.CANDIDATE,
        "created_at": datetime(2025, 8, 1, 10, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return ModelVersion(**values)


def _big_metrics(labels: int) -> dict[str, object]:
    rng = random.Random(labels)
    names = [f"label {index} ünïcode" for index in range(labels)]
    return {
        "test": {
            "accuracy": 0.812345,
            "macro_f1": 0.790001,
            "size": 4303,
            "labels": names,
            "per_label": {
                name: {"precision": rng.random(), "recall": rng.random(), "f1": rng.random(), "support": rng.randint(0, 999)}
                for name in names
            },
            "confusion_matrix": [[rng.randint(0, 500) for _ in names] for _ in names],
        },
        "training": {"seconds": 1234.5, "epochs": 3},
        "split": {"train": 34421, "validation": 4303, "test": 4303, "train_only_labels": []},
    }


async def test_model_version_round_trip_with_big_metrics(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    full = _version(
        "bert-2025-08-01T10-00",
        path="/var/lib/ticket-utils/models/" + "p" * 900,
        labels=tuple(f"label {index} ünïcode" for index in range(120)),
        status=ModelStatus.ACTIVE,
        metrics=_big_metrics(120),
        training_size=34_421,
        training_run_id=12,
        activated_at=datetime(2025, 8, 1, 11, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-7))),
        note="promoted: better macro-F1",
    )
    bare = _version("bare", labels=())
    async with uow_factory() as uow:
        assert await uow.model_versions.active() is None
        stored = [await uow.model_versions.add(version) for version in (full, bare)]
        await uow.commit()
    assert [replace(item, id=None) for item in stored] == [full, bare]
    async with uow_factory() as uow:
        for item in stored:
            loaded = await uow.model_versions.get(item.id or 0)
            assert loaded == item
            assert loaded is not None and loaded.created_at.tzinfo == UTC
        assert await uow.model_versions.get(max(item.id or 0 for item in stored) + 1) is None
        assert await uow.model_versions.active() == stored[0]


async def test_model_versions_active_update_and_list_order(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    day = datetime(2025, 9, 1, tzinfo=UTC)
    async with uow_factory() as uow:
        old = await uow.model_versions.add(_version("v1", status=ModelStatus.ACTIVE, activated_at=day))
        new = await uow.model_versions.add(_version("v2", status=ModelStatus.REJECTED))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.model_versions.active() == old
        assert list(await uow.model_versions.list()) == [new, old]
        retired = replace(old, status=ModelStatus.RETIRED, note="replaced by v2")
        activated = replace(new, status=ModelStatus.ACTIVE, activated_at=day + timedelta(days=1))
        await uow.model_versions.update(retired)
        await uow.model_versions.update(activated)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.model_versions.active() == activated
        assert list(await uow.model_versions.list()) == [activated, retired]
        # Inconsistent data with several ACTIVE versions: the most recently activated one serves.
        later = await uow.model_versions.add(
            _version("v3", status=ModelStatus.ACTIVE, activated_at=day + timedelta(days=3))
        )
        await uow.model_versions.add(_version("v4", status=ModelStatus.ACTIVE, activated_at=day + timedelta(days=2)))
        await uow.model_versions.add(_version("v5", status=ModelStatus.ACTIVE, activated_at=None))
        assert await uow.model_versions.active() == later
        await uow.model_versions.update(replace(later, status=ModelStatus.BAD))
        assert (await uow.model_versions.get(later.id or 0)) == replace(later, status=ModelStatus.BAD)
        assert [v.name for v in await uow.model_versions.list()] == ["v5", "v4", "v3", "v2", "v1"]


async def test_model_version_names_are_unique(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        async with uow_factory() as uow:
            await uow.model_versions.add(_version("same"))
            await uow.model_versions.add(_version("same", path="models/other"))


async def test_storage_health_reports_a_reachable_database(engine: AsyncEngine) -> None:
    assert await SqlAlchemyStorageHealth(engine).is_reachable()


def test_migrations_apply_twice_and_match_the_tables(db_url: str) -> None:
    _in_thread(command.downgrade, alembic_config(db_url), "base")
    _in_thread(upgrade_to_head, db_url)
    _in_thread(upgrade_to_head, db_url)
    _in_thread(asyncio.run, _assert_schema_at_head(db_url))


async def _assert_schema_at_head(url: str) -> None:
    engine = create_engine_for(url)
    try:
        async with engine.connect() as connection:
            version = (await connection.exec_driver_sql("SELECT version_num FROM alembic_version")).scalars().all()
            rows = (await connection.exec_driver_sql("SELECT id FROM training_state")).scalars().all()
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata)
            )
    finally:
        await engine.dispose()
    assert version == ["0003"]
    assert rows == [1]
    assert differences == [], "migrations and tables.py disagree"


@pytest.mark.parametrize(
    "url",
    [
        "mysql+aiomysql://ticket_utils:s3cret-Pa55@127.0.0.1:1/ticket_utils_test",
        "sqlite+aiosqlite:////nonexistent-directory/ticket_utils.db",
    ],
)
async def test_an_unreachable_database_raises_storage_unavailable(url: str) -> None:
    engine = create_engine_for(url)
    try:
        with pytest.raises(StorageUnavailable) as raised:
            async with SqlAlchemyUnitOfWorkFactory(engine)() as uow:
                await uow.companies.list()
        assert not await SqlAlchemyStorageHealth(engine).is_reachable()
    finally:
        await engine.dispose()
        # aiosqlite stops its worker thread asynchronously after a failed connect; let it finish on this loop.
        await asyncio.sleep(0.1)
    message = str(raised.value)
    assert "s3cret-Pa55" not in message
    assert "unavailable" in message and make_url(url).render_as_string(hide_password=True) in message

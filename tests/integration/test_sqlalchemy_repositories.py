"""The SQLAlchemy persistence adapter against real databases: a SQLite file and MariaDB.

`TestSqlRepositories` runs the shared repository contract (tests/repository_contract.py, which the fakes pass
too); the tests below it are what only SQL has: foreign keys, the migrations, batching, UTC normalisation,
connection failures.

MariaDB is required: when it cannot be reached these tests fail with the reason, they never skip. The URL
comes from TEST_MYSQL_URL; the database in it is created when missing and migrated once per session.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.sqlalchemy.engine import SqlAlchemyStorageHealth, create_engine_for
from adapters.outbound.persistence.sqlalchemy.migrate import alembic_config, upgrade_to_head
from adapters.outbound.persistence.sqlalchemy.repositories.labelled_tickets import INSERT_BATCH_ROWS
from adapters.outbound.persistence.sqlalchemy.tables import metadata
from adapters.outbound.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.admin_users import AdminRole, AdminUser
from domain.companies import Company, Team
from domain.errors import StorageUnavailable
from domain.labelled_tickets import LabelledTicket, TicketStatus
from domain.training_runs import RunStatus, TrainingRun
from tests.repository_contract import RepositoryContract, _analysis, _ticket, _version

pytestmark = pytest.mark.integration

DEFAULT_MYSQL_URL = "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_test"
MYSQL_URL = os.environ.get("TEST_MYSQL_URL", DEFAULT_MYSQL_URL)
STALE_AFTER = timedelta(hours=6)
ALL_TABLES = (
    "teams",
    "companies",
    "analyses",
    "training_state",
    "labelled_tickets",
    "training_runs",
    "model_versions",
    "admin_users",
    "login_failures",
    "mislabel_candidates",
    "ticket_vectors",
    "work_leases",
)


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
        for table in ALL_TABLES:
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


class TestSqlRepositories(RepositoryContract):
    """The shared repository contract on SQLite and on MariaDB (the module's `uow_factory` fixture)."""


async def test_the_foreign_key_deletes_the_teams_of_a_company_deleted_outside_the_repository(
    uow_factory: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow_factory() as uow:
        initech = await uow.companies.add(Company(None, "Initech"))
        globex = await uow.companies.add(Company(None, "Globex"))
        assert initech.id and globex.id
        await uow.teams.add(Team(None, initech.id, "I1", None, "", (1.0,)))
        kept = await uow.teams.add(Team(None, globex.id, "G1", None, "", (1.0,)))
        await uow.commit()
    async with engine.begin() as connection:
        await connection.execute(sa.text("DELETE FROM companies WHERE id = :id"), {"id": initech.id})
    async with uow_factory() as uow:
        assert await uow.teams.list_for_company(initech.id) == []
        assert await uow.teams.list_for_company(globex.id) == [kept]


async def test_times_come_back_in_utc_as_the_same_instant(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    """The fakes keep the caller's datetime objects; SQL stores UTC and reads back UTC-aware datetimes."""
    india = timezone(timedelta(hours=5, minutes=30))
    moment = datetime(2025, 1, 1, 23, 30, 0, 1, tzinfo=india)
    async with uow_factory() as uow:
        analysis = await uow.analyses.add(_analysis(1, created_at=moment))
        (ticket,) = await uow.labelled_tickets.add_many([_ticket(1, created_at=moment)])
        version = await uow.model_versions.add(_version("v1", activated_at=moment))
        run = await uow.training_runs.add(TrainingRun("manual", RunStatus.RUNNING, moment, started_at=moment))
        user = await uow.admin_users.add(AdminUser("alice", "hash", AdminRole.ADMIN, moment, last_login_at=moment))
        attempt = await uow.login_failures.record("user:alice", moment)
        await uow.commit()
    async with uow_factory() as uow:
        loaded_analysis = await uow.analyses.get(analysis.id or 0)
        loaded_ticket = await uow.labelled_tickets.get(ticket.id or 0)
        loaded_version = await uow.model_versions.get(version.id or 0)
        loaded_run = await uow.training_runs.get(run.id or 0)
        loaded_user = await uow.admin_users.get(user.id or 0)
        failures = await uow.login_failures.recent("user:alice", moment - timedelta(days=1))
    assert attempt > 0
    assert loaded_analysis is not None and loaded_ticket is not None and loaded_version is not None
    assert loaded_run is not None and loaded_user is not None
    times = [
        loaded_analysis.created_at,
        loaded_ticket.created_at,
        loaded_version.activated_at,
        loaded_run.started_at,
        loaded_user.last_login_at,
        failures.last_at,
    ]
    for loaded in times:
        assert loaded == moment and loaded is not None and loaded.tzinfo == UTC


async def test_excluding_a_ticket_records_who_and_when_on_its_row(
    uow_factory: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    """The port reads back only the status; who excluded a ticket and when is kept on the row for the audit."""
    moment = datetime(2026, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
    async with uow_factory() as uow:
        (ticket,) = await uow.labelled_tickets.add_many([_ticket(1)])
        await uow.labelled_tickets.set_status(ticket.id or 0, TicketStatus.EXCLUDED, "carol", moment)
        await uow.commit()
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                sa.text("SELECT status, status_changed_by, status_changed_at FROM labelled_tickets WHERE id = :id"),
                {"id": ticket.id},
            )
        ).one()
    assert (row[0], row[1]) == ("excluded", "carol")
    assert str(row[2]).startswith("2026-02-03 04:05:06.000007")


async def test_importing_43027_tickets_takes_one_insert_per_batch(
    uow_factory: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    """The size of the real spreadsheet, in the import use case's chunks of 5,000: the tickets go in multi-row
    INSERTs of at most INSERT_BATCH_ROWS rows (one INSERT per row would take minutes on MariaDB), their ids
    ascending in order."""
    rng = random.Random(3)
    words = "printer laptop vpn password salary invoice network access broken screen cannot login help".split()
    tickets = [
        _ticket(index, text=" ".join(rng.choice(words) for _ in range(rng.randint(5, 120))) + f" #{index}")
        for index in range(43_027)
    ]
    chunks = [tickets[start : start + 5_000] for start in range(0, len(tickets), 5_000)]
    inserts: list[str] = []

    def count_inserts(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LABELLED_TICKETS"):
            inserts.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count_inserts)
    try:
        async with uow_factory() as uow:
            stored: list[LabelledTicket] = []
            for chunk in chunks:
                stored += await uow.labelled_tickets.add_many(chunk)
            await uow.commit()
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count_inserts)
    assert 0 < len(inserts) <= sum(math.ceil(len(chunk) / INSERT_BATCH_ROWS) for chunk in chunks)
    ids = [item.id or 0 for item in stored]
    assert ids == sorted(ids) and len(set(ids)) == len(tickets)
    async with uow_factory() as uow:
        assert await uow.labelled_tickets.count() == len(tickets)
        assert await uow.labelled_tickets.newest_id() == ids[-1]
        assert list(await uow.labelled_tickets.all_for_training()) == stored


async def test_a_missing_training_state_row_is_tolerated_and_recreated(
    uow_factory: SqlAlchemyUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM training_state")
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        state = await uow.training_state.get()
        assert (state.analyses_since_trigger, state.running, state.last_error) == (0, False, None)
        assert (await uow.training_state.count_analysis()).analyses_since_trigger == 1
        await uow.commit()
    async with engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM training_state")
    async with uow_factory() as uow:
        assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.training_state.get()).running


async def test_model_version_names_are_unique(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        async with uow_factory() as uow:
            await uow.model_versions.add(_version("same"))
            await uow.model_versions.add(_version("same", location="models/other"))


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
    assert version == [ScriptDirectory.from_config(alembic_config(url)).get_current_head()]
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

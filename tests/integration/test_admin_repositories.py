"""The admin-site repositories and the analysis queries on real databases: a SQLite file and MariaDB.

The same expectations as the in-memory fakes, so the unit tests' semantics hold against SQL too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.sqlalchemy.engine import create_engine_for
from adapters.outbound.persistence.sqlalchemy.migrate import upgrade_to_head
from adapters.outbound.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.admin_users import AdminRole, AdminUser
from domain.analysis import AnalysisFilter, TicketAnalysis
from domain.errors import Conflict
from domain.labelled_tickets import LabelledTicket
from domain.predictions import CategoryPrediction
from domain.priority import Priority
from domain.routing import RoutingReason, TeamAssignment
from tests.integration.conftest import fresh_mysql_database, run_in_thread

pytestmark = pytest.mark.integration

MYSQL_URL = "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_test_admin_repos"
NOW = datetime(2026, 3, 10, 15, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "mariadb"])
async def uow_factory(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[SqlAlchemyUnitOfWorkFactory]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"
        run_in_thread(upgrade_to_head, url)
    else:
        url = fresh_mysql_database(MYSQL_URL)
    engine: AsyncEngine = create_engine_for(url)
    try:
        yield SqlAlchemyUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


async def test_admin_users_round_trip_and_names_are_unique(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    user = AdminUser("alice", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", AdminRole.ADMIN, NOW)
    async with uow_factory() as uow:
        stored = await uow.admin_users.add(user)
        await uow.commit()
    assert stored.id is not None
    async with uow_factory() as uow:
        assert await uow.admin_users.get(stored.id) == stored
        assert await uow.admin_users.get_by_username("alice") == stored
        assert await uow.admin_users.get_by_username("bob") is None
        await uow.admin_users.update(replace(stored, last_login_at=NOW + timedelta(hours=1), is_active=False))
        await uow.commit()
    async with uow_factory() as uow:
        again = await uow.admin_users.get(stored.id)
        assert again is not None and again.last_login_at == NOW + timedelta(hours=1) and not again.is_active
        assert await uow.admin_users.count() == 1
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.admin_users.add(replace(user, password_hash="other"))
        # The failed insert rolled back to its savepoint only: the transaction is still usable.
        assert await uow.admin_users.count() == 1


async def test_login_failures_count_within_the_window_clear_and_prune(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        for minutes in (30, 10, 5, 1):
            await uow.login_failures.record("user:alice", NOW - timedelta(minutes=minutes))
        await uow.login_failures.record("address:10.0.0.1", NOW - timedelta(minutes=1))
        await uow.commit()
    async with uow_factory() as uow:
        recent = await uow.login_failures.recent("user:alice", NOW - timedelta(minutes=15))
        assert (recent.count, recent.last_at) == (3, NOW - timedelta(minutes=1))
        assert (await uow.login_failures.recent("user:nobody", NOW - timedelta(minutes=15))).count == 0
        await uow.login_failures.prune(NOW - timedelta(minutes=15))
        await uow.login_failures.clear("address:10.0.0.1")
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.login_failures.recent("user:alice", NOW - timedelta(days=1))).count == 3
        assert (await uow.login_failures.recent("address:10.0.0.1", NOW - timedelta(days=1))).count == 0


def _analysis(company_id: int, label: str | None, priority: Priority | None, need_admin: bool | None, at: datetime) -> TicketAnalysis:
    assignment = None if need_admin is None else TeamAssignment(None if need_admin else 3, need_admin, 0.5, RoutingReason.SIMILARITY)
    category = CategoryPrediction(label, 0.75, "v1") if label else None
    return TicketAnalysis(company_id, f"ticket {label}", category, priority, 0.1, assignment, "v1", at)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (AnalysisFilter(), [5, 4, 3, 2, 1]),
        (AnalysisFilter(company_id=2), [4]),
        (AnalysisFilter(category="HARDWARE"), [3, 2, 1]),
        (AnalysisFilter(priority=Priority.LOW), [5]),
        (AnalysisFilter(need_admin=True), [3]),
        (AnalysisFilter(need_admin=False), [4, 2, 1]),
        (AnalysisFilter(created_from=NOW - timedelta(days=1)), [5, 4, 3, 2]),
        (AnalysisFilter(created_before=NOW - timedelta(days=1)), [1]),
        (AnalysisFilter(company_id=1, category="hardware", need_admin=False, created_from=NOW - timedelta(days=5)), [2, 1]),
    ],
)
async def test_analyses_filter_page_and_count_like_the_domain_rule(
    uow_factory: SqlAlchemyUnitOfWorkFactory, criteria: AnalysisFilter, expected: list[int]
) -> None:
    items = [
        _analysis(1, "Hardware", Priority.HIGH, False, NOW - timedelta(days=3)),
        _analysis(1, "Hardware", Priority.HIGH, False, NOW - timedelta(hours=2)),
        _analysis(1, "Hardware", Priority.MEDIUM, True, NOW),
        _analysis(2, "Access", Priority.HIGH, False, NOW),
        _analysis(1, None, Priority.LOW, None, NOW),
    ]
    async with uow_factory() as uow:
        ids = [(await uow.analyses.add(item)).id for item in items]
        await uow.commit()
    position = {analysis_id: index + 1 for index, analysis_id in enumerate(ids)}
    async with uow_factory() as uow:
        page = await uow.analysis_queries.list_page(criteria, 0, 50)
        assert [position[item.id] for item in page] == expected
        assert [criteria.matches(item) for item in page] == [True] * len(page)
        assert await uow.analysis_queries.count_matching(criteria) == len(expected)
        assert [position[item.id] for item in await uow.analysis_queries.list_page(criteria, 1, 2)] == expected[1:3]
        assert await uow.analysis_queries.count_since(NOW - timedelta(hours=3)) == 4


async def test_the_feedback_link_is_read_back(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        analysis = await uow.analyses.add(_analysis(1, "Hardware", Priority.HIGH, False, NOW))
        (ticket,) = await uow.labelled_tickets.add_many([LabelledTicket("text", "Access", "feedback", NOW)])
        assert await uow.analyses.feedback_ticket_id(analysis.id or 0) is None
        await uow.analyses.link_feedback(analysis.id or 0, ticket.id or 0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.analyses.feedback_ticket_id(analysis.id or 0) == ticket.id
        assert await uow.analyses.feedback_ticket_id(424242) is None

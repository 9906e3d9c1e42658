"""Several API processes over one database, as `serve --workers N` runs them: each has its own container (its own
catalogue cache), and a change made through one is seen by the others' next analysis; an analysis costs one
write transaction over the real SQL unit of work, whatever the retraining counter says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import pytest_asyncio
from dependency_injector import providers

from adapters.outbound.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from application.services.analysis_recorder import AnalysisRecorder
from application.services.company_catalogue import CompanyCatalogue
from application.services.retraining_trigger import RetrainingTrigger
from application.services.team_router import TeamRouter
from application.use_cases.analyze_ticket import AnalyzeTicket
from application.use_cases.companies import CompanyChanges
from application.use_cases.teams import TeamDraft
from bootstrap.cli import _prepare_database
from bootstrap.container import Container, build_container
from bootstrap.settings import Settings, load_settings
from domain.errors import CompanyNotFound
from domain.labelled_tickets import LabelledTicket
from tests.integration.conftest import API_MYSQL_URL, fresh_mysql_database, run_in_thread
from tests.settings_defaults import analysis_settings, routing_policy
from tests.training_policies import trigger_policy
from tests.unit.fakes import FakeClassifier, FakeEmbedder, FakeJobQueue, FakeSentiment, FixedClock

pytestmark = pytest.mark.integration


def _settings(tmp_path: Path, backend: str) -> Settings:
    if backend == "mariadb":  # a database of its own next to TEST_API_MYSQL_URL's
        url = fresh_mysql_database(API_MYSQL_URL + "_procs")
        return load_settings(environ={"DATABASE_URL": url, "SEED_DEMO_DATA": "false"}, env_file=None)
    settings = load_settings(
        environ={"SQLITE_PATH": str(tmp_path / "db.sqlite3"), "SEED_DEMO_DATA": "false"}, env_file=None
    )
    run_in_thread(_prepare_database, settings)
    return settings


def _process(settings: Settings) -> Container:
    """What one worker process builds: a container of its own, models replaced by fakes."""
    container = build_container(settings)
    container.embedder.override(providers.Object(FakeEmbedder()))
    container.classifier.override(providers.Object(FakeClassifier()))
    container.sentiment.override(providers.Object(FakeSentiment()))
    container.job_queue.override(providers.Object(FakeJobQueue()))
    return container


@pytest_asyncio.fixture(params=["sqlite", "mariadb"])
async def two_processes(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[tuple[Container, Container]]:
    settings = _settings(tmp_path, request.param)
    first, second = _process(settings), _process(settings)
    yield first, second
    for container in (first, second):
        await container.engine().dispose()


async def test_a_team_change_through_one_process_is_seen_by_the_others_next_analysis(
    two_processes: tuple[Container, Container],
) -> None:
    admin, server = two_processes
    company = await admin.create_company().execute(CompanyChanges(name="Acme", trust_uncalibrated=True))
    assert company.id is not None
    await admin.create_team().execute(company.id, TeamDraft("Desk", "Hardware", "laptops screens printers"))
    text = "forgot my vpn password login"
    before = await server.analyze_ticket().execute(text, company.id)
    assert before.assignment is not None and before.assignment.assigned_team_id is None
    assert await server.analyze_ticket().execute(text, company.id)  # served from the cache now

    identity = await admin.create_team().execute(company.id, TeamDraft("Identity", "Access", "passwords vpn login"))
    after = await server.analyze_ticket().execute(text, company.id)
    assert after.assignment is not None and after.assignment.assigned_team_id == identity.id

    await admin.update_company().execute(company.id, CompanyChanges(auto_assign=False))
    assert (await server.analyze_ticket().execute(text, company.id)).assignment is None
    await admin.delete_company().execute(company.id)
    with pytest.raises(CompanyNotFound):
        await server.analyze_ticket().execute(text, company.id)


class _CountingUnitOfWork:
    def __init__(self, inner: SqlAlchemyUnitOfWork, counts: dict[str, int]) -> None:
        self._inner, self._counts = inner, counts

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self._counts["transactions"] += 1
        entered = await self._inner.__aenter__()
        original_commit = entered.commit

        async def commit() -> None:
            self._counts["commits"] += 1
            await original_commit()

        entered.commit = commit
        return entered

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)


class _CountingFactory:
    def __init__(self, inner: SqlAlchemyUnitOfWorkFactory) -> None:
        self._inner = inner
        self.counts = {"transactions": 0, "commits": 0}

    def __call__(self) -> Any:
        return _CountingUnitOfWork(self._inner(), self.counts)


async def test_an_analysis_costs_one_sql_write_transaction_even_while_a_training_runs(
    two_processes: tuple[Container, Container],
) -> None:
    container, _ = two_processes
    company = await container.create_company().execute(CompanyChanges(name="Acme"))
    assert company.id is not None
    sql = SqlAlchemyUnitOfWorkFactory(container.engine())
    async with sql() as uow:  # something new to learn, so the due count claims a training
        await uow.labelled_tickets.add_many([LabelledTicket("printer jam", "Hardware", "test", FixedClock().now())])
        await uow.commit()
    reads, writes = _CountingFactory(sql.for_reads()), _CountingFactory(sql)
    queue = FakeJobQueue()
    trigger = RetrainingTrigger(writes, queue, FixedClock(), trigger_policy(threshold=2))
    analyze = AnalyzeTicket(
        reads,
        FakeClassifier(),
        FakeSentiment(),
        TeamRouter(FakeClassifier(), FakeEmbedder(), routing_policy()),
        AnalysisRecorder(trigger),
        CompanyCatalogue(),
        FixedClock(),
        analysis_settings(),
    )
    costs = []
    for _ in range(6):
        before = dict(writes.counts)
        await analyze.execute("laptop broken", company.id)
        after = writes.counts
        costs.append((after["transactions"] - before["transactions"], after["commits"] - before["commits"]))
    assert costs == [(1, 1)] * 6
    assert len(queue.enqueued) == 1  # claimed once at the threshold; the training still runs afterwards
    async with sql() as uow:
        state = await uow.training_state.get()
    assert state.running and state.analyses_since_trigger == 4
    assert reads.counts["commits"] == 0 and reads.counts["transactions"] == 6


async def test_concurrent_analyses_through_the_group_commit_are_each_stored_and_counted_once(
    two_processes: tuple[Container, Container],
) -> None:
    import asyncio

    container, _ = two_processes
    company = await container.create_company().execute(CompanyChanges(name="Acme"))
    assert company.id is not None
    assert container.analysis_recorder() is container.analysis_recorder()  # one per process, shared by requests

    texts = [f"monitor {n} flickers" for n in range(12)]
    answers = await asyncio.gather(*(container.analyze_ticket().execute(text, company.id) for text in texts))

    ids = [answer.id for answer in answers]
    assert len(set(ids)) == len(texts) and None not in ids
    sql = SqlAlchemyUnitOfWorkFactory(container.engine())
    async with sql() as uow:
        stored = [await uow.analyses.get(answer_id) for answer_id in ids if answer_id is not None]
        state = await uow.training_state.get()
    assert [analysis.description for analysis in stored if analysis is not None] == texts
    assert state.analyses_since_trigger == len(texts)

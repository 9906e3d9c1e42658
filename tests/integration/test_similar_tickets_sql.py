"""Similar tickets through the real wiring and a real database (SQLite and MariaDB), with fake models: vectors are
written in the analyses' transaction, a second process finds them, and re-embedding after a swap completes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.outbound.persistence.sqlalchemy.migrate import upgrade_to_head
from application.use_cases.companies import CompanyChanges
from bootstrap.container import Container, build_container
from bootstrap.settings import load_settings
from domain.analysis import TicketAnalysis
from tests.integration.conftest import fresh_mysql_database, run_in_thread
from tests.unit.fakes import FakeClassifier, FakeEmbedder, FakeJobQueue, FakeModelStore, FakeSentiment

pytestmark = pytest.mark.integration

MYSQL_URL = "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_test_similar"
LAPTOP = "My laptop will not turn on before the client meeting"
PRINTER = "The printer on floor three jams on every page"


@pytest.fixture(params=["sqlite", "mariadb"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'similar.db'}"
        run_in_thread(upgrade_to_head, url)
        return url
    return fresh_mysql_database(MYSQL_URL)


def _container(url: str, classifier: FakeClassifier) -> Container:
    settings = load_settings(
        environ={"DATABASE_URL": url, "ANALYZE_TRAINING_THRESHOLD": "100000", "SEED_DEMO_DATA": "false"},
        env_file=None,
    )
    container = build_container(settings)
    container.embedder.override(providers.Object(FakeEmbedder()))
    container.classifier.override(providers.Object(classifier))
    container.sentiment.override(providers.Object(FakeSentiment()))
    container.job_queue.override(providers.Object(FakeJobQueue()))
    container.model_store.override(providers.Object(FakeModelStore()))
    return container


@pytest.fixture
async def processes(database_url: str) -> AsyncIterator[Callable[[], Container]]:
    """Builds containers (API processes) on one database, all sharing one classifier; disposed after the test."""
    classifier = FakeClassifier(vectors=FakeEmbedder()._vector)
    built: list[Container] = []

    def process() -> Container:
        built.append(_container(database_url, classifier))
        return built[-1]

    yield process
    for container in built:
        container.vector_index().close()
        await container.engine().dispose()


async def _analyse(container: Container, text: str, company_id: int = 1) -> TicketAnalysis:
    return await container.analyze_ticket().execute(text, company_id)


async def test_a_second_process_finds_the_tickets_of_the_first_and_never_another_companys(
    processes: Callable[[], Container],
) -> None:
    first_process = processes()
    for name in ("Initech", "Globex"):
        await first_process.create_company().execute(CompanyChanges(name=name))
    first = await _analyse(first_process, LAPTOP)
    await _analyse(first_process, LAPTOP, company_id=2)
    second_process = processes()
    again = await _analyse(second_process, LAPTOP)
    assert again.possible_duplicate_of is not None and again.possible_duplicate_of.analysis_id == first.id
    assert again.similar_tickets is not None and [t.analysis_id for t in again.similar_tickets] == [first.id]
    assert again.id is not None
    found = await second_process.find_similar_tickets().execute(again.id, 10)
    assert [t.analysis_id for t in found] == [first.id]
    printer, repeat = await second_process.analyze_ticket().execute_many([PRINTER, PRINTER], 1)
    assert isinstance(printer, TicketAnalysis) and isinstance(repeat, TicketAnalysis)
    assert repeat.possible_duplicate_of is not None and repeat.possible_duplicate_of.analysis_id == printer.id


async def test_reembedding_after_a_swap_completes_and_serving_answers_meanwhile(
    processes: Callable[[], Container],
) -> None:
    container = processes()
    await container.create_company().execute(CompanyChanges(name="Initech"))
    for n in range(10):
        await _analyse(container, f"{LAPTOP} number {n}")
    classifier = container.classifier()
    assert isinstance(classifier, FakeClassifier)
    classifier.version = "fake-v2"
    reembed = container.reembed_tickets()
    runner = asyncio.create_task(reembed.run())
    served = [await _analyse(container, f"{LAPTOP} number {n}") for n in range(3)]
    # A unit of work per poll: on SQLite one held across the polls would keep the file's write lock from the
    # re-embedding's writes, which then wait out their timeout (the test took 100 s so).
    remaining_v2 = None
    for _ in range(2_000):  # a bound on polls, not on time: a broken re-embedding fails instead of hanging
        async with container.uow_factory()() as uow:
            if await uow.ticket_vectors.count(1, "fake-v1") == 0:
                remaining_v2 = await uow.ticket_vectors.count(1, "fake-v2")
                break
        await asyncio.sleep(0.05)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    assert all(answer.id is not None for answer in served)
    assert remaining_v2 == 13
    answer = await _analyse(container, f"{LAPTOP} number 9")
    assert answer.possible_duplicate_of is not None


async def test_two_processes_reembed_each_ticket_once_between_them(processes: Callable[[], Container]) -> None:
    """Both run the re-embedding, as every API process does; the leases in the database give each company to one of
    them at a time, so the model sees each stored ticket once in all."""
    first, second = processes(), processes()
    texts = []
    for name in ("Initech", "Globex"):
        company = await first.create_company().execute(CompanyChanges(name=name))
        assert company.id is not None
        for n in range(6):
            texts.append(f"{LAPTOP} at {name}, number {n}")
            await _analyse(first, texts[-1], company.id)
    classifier = first.classifier()
    assert isinstance(classifier, FakeClassifier)
    classifier.version = "fake-v2"
    since = len(classifier.texts)
    runners = [asyncio.create_task(process.reembed_tickets().run()) for process in (first, second)]
    try:
        for _ in range(2_000):  # a bound on polls, not on time: a broken re-embedding fails instead of hanging
            async with first.uow_factory()() as uow:
                left = [await uow.ticket_vectors.count(company_id, "fake-v1") for company_id in (1, 2)]
            if left == [0, 0]:
                break
            await asyncio.sleep(0.05)
    finally:
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)
    probe = "printer not working"  # how a process asks which space the served model places tickets in
    assert sorted(text for text in classifier.texts[since:] if text != probe) == sorted(texts)
    async with first.uow_factory()() as uow:
        assert [await uow.ticket_vectors.count(company_id, "fake-v2") for company_id in (1, 2)] == [6, 6]

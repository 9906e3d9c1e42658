"""The ticket-vector repository's contract (`TicketVectorRepository`), for every implementation.

`TicketVectorContract` is not collected by itself; a subclass provides the `uow_factory` fixture: the in-memory
fake (tests/unit/test_ticket_vector_contract.py), SQLite and MariaDB (tests/integration/test_ticket_vectors_sql.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from application.ports.unit_of_work import UnitOfWork
from domain.labelled_tickets import LabelledTicket
from domain.similar_tickets import StoredVector, pack_vector, unpack_vector
from tests.repository_contract import _analysis

UowFactory = Callable[[], UnitOfWork]
T0 = datetime(2026, 3, 10, 15, 30, 0, 123456, tzinfo=UTC)


def _bytes(seed: int, dimensions: int = 384) -> bytes:
    rng = random.Random(seed)
    return pack_vector([rng.uniform(-1, 1) for _ in range(dimensions)])


def _vector(company_id: int = 1, version: str = "v1", analysis_id: int | None = None, **overrides: Any) -> StoredVector:
    values: dict[str, Any] = {
        "company_id": company_id,
        "model_version": version,
        "vector": _bytes(analysis_id or overrides.get("labelled_ticket_id") or 0),
        "created_at": T0,
        "analysis_id": analysis_id,
        "category": "Hardware",
    }
    values.update(overrides)
    return StoredVector(**values)


async def _store(uow_factory: UowFactory, *vectors: StoredVector) -> None:
    async with uow_factory() as uow:
        await uow.ticket_vectors.add_many(list(vectors))
        await uow.commit()


async def _analyses(uow_factory: UowFactory, *companies: int) -> list[int]:
    """Stores one analysis per company given (its text names its position); their ids, in order."""
    ids = []
    async with uow_factory() as uow:
        for position, company_id in enumerate(companies):
            stored = await uow.analyses.add(_analysis(company_id, description=f"analysis {position}"))
            assert stored.id is not None
            ids.append(stored.id)
        await uow.commit()
    return ids


class TicketVectorContract:
    async def test_a_vector_comes_back_as_stored(self, uow_factory: UowFactory) -> None:
        special = bytes(range(256)) * 3  # every byte value, quotes and backslashes included
        stored = [
            _vector(1, analysis_id=7, vector=special, team_id=3, created_at=T0.astimezone()),
            _vector(1, labelled_ticket_id=8, category="Access", label_is_human=True),
            _vector(1, analysis_id=9, category=None),
        ]
        await _store(uow_factory, *stored)
        async with uow_factory() as uow:
            loaded = list(await uow.ticket_vectors.load(1, "v1"))
        assert [v.id for v in loaded] == sorted(v.id for v in loaded if v.id is not None)
        assert [(v.analysis_id, v.labelled_ticket_id) for v in loaded] == [(7, None), (None, 8), (9, None)]
        assert loaded[0].vector == special and loaded[0].team_id == 3 and loaded[0].created_at == T0
        assert loaded[0].created_at.tzinfo is not None
        assert loaded[1].category == "Access" and loaded[1].label_is_human
        assert loaded[2].category is None and not loaded[2].label_is_human
        assert unpack_vector(loaded[2].vector) == unpack_vector(_bytes(9))

    async def test_a_ticket_never_sees_another_companys_tickets(self, uow_factory: UowFactory) -> None:
        await _store(
            uow_factory,
            _vector(1, analysis_id=1),
            _vector(2, analysis_id=2),
            _vector(2, labelled_ticket_id=3),
            _vector(1, labelled_ticket_id=4),
        )
        async with uow_factory() as uow:
            repository = uow.ticket_vectors
            assert [(v.analysis_id, v.labelled_ticket_id) for v in await repository.load(1, "v1")] == [
                (1, None),
                (None, 4),
            ]
            assert {v.company_id for v in await repository.load(2, "v1")} == {2}
            assert await repository.count(1, "v1") == 2 and await repository.count(3, "v1") == 0
            assert await repository.for_analysis(2, "v1", 1) is None
            assert (await repository.for_analysis(1, "v1", 1)) is not None
            await repository.label_analysis(2, 1, "Access")  # another company's analysis: nothing changes
            await uow.commit()
        async with uow_factory() as uow:
            found = await uow.ticket_vectors.for_analysis(1, "v1", 1)
            assert found is not None and found.category == "Hardware" and not found.label_is_human

    async def test_vectors_of_two_versions_are_never_compared(self, uow_factory: UowFactory) -> None:
        await _store(uow_factory, _vector(1, "v1", analysis_id=1), _vector(1, "v2", analysis_id=2))
        async with uow_factory() as uow:
            assert [v.analysis_id for v in await uow.ticket_vectors.load(1, "v1")] == [1]
            assert [v.analysis_id for v in await uow.ticket_vectors.load(1, "v2")] == [2]
            assert await uow.ticket_vectors.for_analysis(1, "v2", 1) is None
            assert await uow.ticket_vectors.count(1, "v3") == 0

    async def test_a_ticket_has_one_vector_per_version_the_first_stored(self, uow_factory: UowFactory) -> None:
        first = _vector(1, analysis_id=5)
        await _store(uow_factory, first, _vector(1, analysis_id=5, vector=_bytes(99), category="Access"))
        await _store(uow_factory, _vector(1, analysis_id=5, vector=_bytes(98)), _vector(1, "v2", analysis_id=5))
        await _store(uow_factory, _vector(1, labelled_ticket_id=5), _vector(1, labelled_ticket_id=5))
        async with uow_factory() as uow:
            loaded = list(await uow.ticket_vectors.load(1, "v1"))
            assert [(v.analysis_id, v.labelled_ticket_id) for v in loaded] == [(5, None), (None, 5)]
            assert loaded[0].vector == first.vector and loaded[0].category == "Hardware"
            assert await uow.ticket_vectors.count(1, "v2") == 1

    async def test_load_after_an_id_reads_only_what_came_since(self, uow_factory: UowFactory) -> None:
        await _store(uow_factory, *(_vector(1, analysis_id=n) for n in range(1, 4)))
        async with uow_factory() as uow:
            last = (await uow.ticket_vectors.load(1, "v1"))[-1].id
        assert last is not None
        await _store(uow_factory, _vector(1, analysis_id=10), _vector(2, analysis_id=11))
        async with uow_factory() as uow:
            assert [v.analysis_id for v in await uow.ticket_vectors.load(1, "v1", after_id=last)] == [10]
            assert [v.analysis_id for v in await uow.ticket_vectors.load(1, "v1", limit=2)] == [1, 2]

    async def test_writes_wait_for_the_commit(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            await uow.ticket_vectors.add_many([_vector(1, analysis_id=1)])
        async with uow_factory() as uow:
            assert await uow.ticket_vectors.count(1, "v1") == 0

    async def test_many_vectors_are_stored_in_one_call(self, uow_factory: UowFactory) -> None:
        await _store(uow_factory, *(_vector(1, analysis_id=n, vector=_bytes(n, 32)) for n in range(1, 1_202)))
        async with uow_factory() as uow:
            loaded = await uow.ticket_vectors.load(1, "v1")
        assert len(loaded) == 1_201 and loaded[-1].vector == _bytes(1_201, 32)

    async def test_a_persons_label_reaches_every_version_of_the_analysis(self, uow_factory: UowFactory) -> None:
        await _store(uow_factory, _vector(1, "v1", analysis_id=4), _vector(1, "v2", analysis_id=4))
        async with uow_factory() as uow:
            await uow.ticket_vectors.label_analysis(1, 4, "Access")
            await uow.commit()
        async with uow_factory() as uow:
            for version in ("v1", "v2"):
                found = await uow.ticket_vectors.for_analysis(1, version, 4)
                assert found is not None and (found.category, found.label_is_human) == ("Access", True)

    async def test_to_embed_lists_the_tickets_missing_in_a_version_with_their_texts(
        self, uow_factory: UowFactory
    ) -> None:
        a1, a2, other = await _analyses(uow_factory, 1, 1, 2)
        async with uow_factory() as uow:
            (labelled,) = await uow.labelled_tickets.add_many([LabelledTicket("labelled text", "Access", "api", T0)])
            await uow.commit()
        assert labelled.id is not None
        later = T0 + timedelta(hours=1)
        await _store(
            uow_factory,
            _vector(1, "v1", analysis_id=a2, created_at=later, team_id=7),
            _vector(1, "v0", analysis_id=a2, created_at=later),  # held by two old versions: listed once
            _vector(1, "v1", analysis_id=a1),
            _vector(1, "v1", labelled_ticket_id=labelled.id, created_at=T0 + timedelta(minutes=1), label_is_human=True),
            _vector(2, "v1", analysis_id=other),
            _vector(1, "v2", analysis_id=a1),  # already in the new version
        )
        async with uow_factory() as uow:
            missing = list(await uow.ticket_vectors.to_embed(1, "v2", limit=10))
            assert [(t.analysis_id, t.labelled_ticket_id, t.text) for t in missing] == [
                (None, labelled.id, "labelled text"),
                (a2, None, "analysis 1"),
            ]
            assert missing[0].label_is_human and missing[1].team_id == 7 and missing[1].created_at == later
            assert len(await uow.ticket_vectors.to_embed(1, "v2", limit=1)) == 1
            await uow.ticket_vectors.add_many([ticket.embedded("v2", [0.5] * 8) for ticket in missing])
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.ticket_vectors.to_embed(1, "v2", limit=10)) == []
            assert await uow.ticket_vectors.count(1, "v2") == 3
            assert await uow.ticket_vectors.delete_other_versions(1, "v2") == 4
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.ticket_vectors.count(1, "v1") == 0 and await uow.ticket_vectors.count(2, "v1") == 1

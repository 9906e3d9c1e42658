"""The ticket-group queries' contract (`TicketGroupQueries`), for every implementation.

`TicketGroupContract` is not collected by itself; a subclass provides the `uow_factory` fixture: the in-memory fake
(tests/unit/test_ticket_group_contract.py), SQLite and MariaDB (tests/integration/test_ticket_groups_sql.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.analysis import AnalysisDecisions
from domain.labelled_tickets import TicketStatus
from domain.similar_tickets import unpack_vector
from tests.repository_contract import _analysis, _ticket
from tests.ticket_vector_contract import T0, UowFactory, _bytes, _store, _vector


async def _analysis_ids(uow_factory: UowFactory, *specs: tuple[int, str, bool]) -> list[int]:
    """One analysis per (company, text, review pending); their ids."""
    ids = []
    async with uow_factory() as uow:
        for company_id, text, pending in specs:
            analysis = _analysis(company_id, description=text, decisions=AnalysisDecisions(review_pending=pending))
            stored = await uow.analyses.add(analysis)
            assert stored.id is not None
            ids.append(stored.id)
        await uow.commit()
    return ids


class TicketGroupContract:
    async def test_recent_reads_one_company_and_version_since_a_moment_newest_first(
        self, uow_factory: UowFactory
    ) -> None:
        a1, a2, a3, b1 = await _analysis_ids(
            uow_factory, (1, "old one", False), (1, "new one", False), (1, "newest", False), (2, "other company", False)
        )
        async with uow_factory() as uow:
            (labelled,) = await uow.labelled_tickets.add_many([_ticket(0, text="a labelled text", company_id=1)])
            await uow.commit()
        assert labelled.id is not None
        await _store(
            uow_factory,
            _vector(1, analysis_id=a1, created_at=T0 - timedelta(hours=2)),
            _vector(1, analysis_id=a2, created_at=T0 + timedelta(minutes=1)),
            _vector(1, analysis_id=a3, created_at=T0 + timedelta(minutes=3)),
            _vector(1, labelled_ticket_id=labelled.id, created_at=T0 + timedelta(minutes=2)),
            _vector(1, "v2", analysis_id=a2, created_at=T0 + timedelta(minutes=1)),
            _vector(2, analysis_id=b1, created_at=T0 + timedelta(minutes=1)),
        )
        async with uow_factory() as uow:
            versions = sorted(await uow.ticket_groups.versions(1))
            recent = list(await uow.ticket_groups.recent(1, "v1", T0, 10))
            limited = list(await uow.ticket_groups.recent(1, "v1", T0, 2))
        assert versions == ["v1", "v2"]
        assert [t.text for t in recent] == ["newest", "a labelled text", "new one"]
        assert [(t.analysis_id, t.labelled_ticket_id) for t in recent] == [(a3, None), (None, labelled.id), (a2, None)]
        assert {(t.company_id, t.model_version) for t in recent} == {(1, "v1")}
        assert recent[0].vector == unpack_vector(_bytes(a3)) and recent[0].created_at == T0 + timedelta(minutes=3)
        assert [t.text for t in limited] == ["newest", "a labelled text"]

    async def test_topic_candidates_are_pending_reviews_and_labels_the_model_does_not_know(
        self, uow_factory: UowFactory
    ) -> None:
        pending, known, unknown, superseded, plain, other = await _analysis_ids(
            uow_factory,
            (1, "waits for review", True),
            (1, "corrected to a known label", False),
            (1, "corrected to a new label", False),
            (1, "new label superseded", False),
            (1, "decided automatically", False),
            (2, "another company waits", True),
        )
        async with uow_factory() as uow:
            tickets = await uow.labelled_tickets.add_many(
                [
                    _ticket(0, text="corrected to a known label", category="hardware", company_id=1),
                    _ticket(1, text="corrected to a new label", category="Badge Access", company_id=1),
                    _ticket(2, text="new label superseded", category="Badge Access", company_id=1),
                ]
            )
            for analysis_id, ticket in zip((known, unknown, superseded), tickets, strict=True):
                assert ticket.id is not None
                await uow.analyses.link_feedback(analysis_id, ticket.id)
            assert tickets[2].id is not None
            await uow.labelled_tickets.set_status(tickets[2].id, TicketStatus.SUPERSEDED, "alice", T0)
            await uow.commit()
        await _store(
            uow_factory,
            *[
                _vector(company, analysis_id=analysis_id, created_at=T0 + timedelta(minutes=index))
                for index, (company, analysis_id) in enumerate(
                    [(1, pending), (1, known), (1, unknown), (1, superseded), (1, plain), (2, other)]
                )
            ],
            replace(_vector(1, analysis_id=pending), model_version="v2"),
        )
        async with uow_factory() as uow:
            found = list(await uow.ticket_groups.topic_candidates(1, "v1", T0, ["Hardware", "Network"], 10))
            later = list(await uow.ticket_groups.topic_candidates(1, "v1", T0 + timedelta(minutes=1), [], 10))
        assert [(t.text, t.label) for t in found] == [
            ("corrected to a new label", "Badge Access"),
            ("waits for review", None),
        ]
        assert [(t.text, t.label) for t in later] == [
            ("corrected to a new label", "Badge Access"),
            ("corrected to a known label", "hardware"),
        ]

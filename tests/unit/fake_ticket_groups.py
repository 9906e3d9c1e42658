"""The fake of `TicketGroupQueries`, over the fake unit of work's working copy (see tests/unit/fakes.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from domain.labelled_tickets import TicketStatus
from domain.similar_tickets import StoredVector, unpack_vector
from domain.ticket_groups import GroupedTicket


class FakeTicketGroupQueries:
    def __init__(self, uow: Any) -> None:
        self._data = uow.repository_source().working

    async def versions(self, company_id: int) -> Sequence[str]:
        return sorted({v.model_version for v in self._data.ticket_vectors.values() if v.company_id == company_id})

    def _scoped(self, company_id: int, model_version: str, since: datetime) -> list[StoredVector]:
        return [
            v
            for v in self._data.ticket_vectors.values()
            if v.company_id == company_id and v.model_version == model_version and v.created_at >= since
        ]

    def _text(self, vector: StoredVector) -> str | None:
        if vector.analysis_id is not None:
            analysis = self._data.analyses.get(vector.analysis_id)
            return analysis.description if analysis is not None else None
        labelled = self._data.labelled.get(vector.labelled_ticket_id or 0)
        return labelled.text if labelled is not None else None

    async def recent(self, company_id: int, model_version: str, since: datetime, limit: int) -> Sequence[GroupedTicket]:
        found = [(v, text) for v in self._scoped(company_id, model_version, since) if (text := self._text(v))]
        return _newest([_grouped(v, text, None) for v, text in found], limit)

    async def topic_candidates(
        self, company_id: int, model_version: str, since: datetime, known_labels: Collection[str], limit: int
    ) -> Sequence[GroupedTicket]:
        known = {label.lower() for label in known_labels}
        found = []
        for vector in self._scoped(company_id, model_version, since):
            analysis = self._data.analyses.get(vector.analysis_id or 0)
            if vector.analysis_id is None or analysis is None:
                continue
            feedback = self._data.labelled.get(self._data.feedback_links.get(vector.analysis_id, 0))
            label = feedback.category if feedback is not None and feedback.status is TicketStatus.ACTIVE else None
            if analysis.decisions.review_pending or (label is not None and label.lower() not in known):
                found.append(_grouped(vector, analysis.description, label))
        return _newest(found, limit)


def _grouped(vector: StoredVector, text: str, label: str | None) -> GroupedTicket:
    return GroupedTicket(
        vector.company_id,
        vector.model_version,
        unpack_vector(vector.vector),
        vector.created_at,
        text,
        vector.analysis_id,
        vector.labelled_ticket_id,
        label,
    )


def _newest(tickets: list[GroupedTicket], limit: int) -> list[GroupedTicket]:
    key = lambda t: (t.created_at, t.analysis_id or 0, t.labelled_ticket_id or 0)  # noqa: E731
    return sorted(tickets, key=key, reverse=True)[:limit]

"""After the served version changes, the companies' stored tickets are embedded again in its space.

Why in the background and in small batches: a company may hold tens of thousands of tickets, and serving must not
wait for them. Until a ticket is re-embedded, searches in the new space simply do not find it (vectors of two
versions are never compared). Each batch goes through the same batched model calls as serving (off the event
loop); after each one the re-embedding rests as long as the batch took, so it takes at most about half of the
model's time and requests interleave with it. When a company is done, its vectors of other versions are deleted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from application.ports.company_repository import CompanyRepository
from application.ports.ticket_vector_repository import TicketVectorRepository
from application.ports.unit_of_work import Transaction
from application.services.similar_tickets import SimilarTickets

logger = logging.getLogger(__name__)


class ReembedUnitOfWork(Transaction, Protocol):
    companies: CompanyRepository
    ticket_vectors: TicketVectorRepository


class ReembedTickets:
    """One per process; `run` loops until cancelled, `run_once` is one pass over every company. `batch_size` is
    REEMBED_BATCH_SIZE: the tickets of one step."""

    def __init__(
        self,
        uow_factory: Callable[[], ReembedUnitOfWork],
        similar: SimilarTickets,
        batch_size: int,
        idle_seconds: float = 10.0,
        rest_ratio: float = 1.0,
    ) -> None:
        self._uow_factory = uow_factory
        self._similar = similar
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._rest_ratio = rest_ratio
        self._finished: set[tuple[int, str]] = set()

    async def run(self) -> None:
        while True:
            try:
                done = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the next round tries again; serving is unaffected
                logger.exception("re-embedding tickets failed")
                done = 0
            if done == 0:
                await asyncio.sleep(self._idle_seconds)

    async def run_once(self) -> int:
        """Re-embeds what every company with similar tickets still lacks in the served space; how many tickets.
        Nothing while the classifier is not yet serving what the registry says (its space would be the wrong one)."""
        if not self._similar.model_ready():
            return 0
        space = await self._similar.served_space()
        async with self._uow_factory() as uow:
            companies = [c.id for c in await uow.companies.list() if c.id is not None and c.flags.similar_tickets]
        done = 0
        for company_id in companies:
            if (company_id, space) in self._finished:
                continue
            embedded = await self._company(company_id, space)
            if embedded is None:  # the served version changed meanwhile: the next round starts over
                return done
            done += embedded
        return done

    async def _company(self, company_id: int, space: str) -> int | None:
        done = 0
        while True:
            async with self._uow_factory() as uow:
                todo = await uow.ticket_vectors.to_embed(company_id, space, self._batch_size)
            if not todo:
                break
            started = time.monotonic()
            placed = await self._similar.place([ticket.text for ticket in todo], [None] * len(todo))
            if any(found != space for found, _ in placed):
                return None
            rows = [ticket.embedded(space, vector) for ticket, (_, vector) in zip(todo, placed, strict=True)]
            async with self._uow_factory() as uow:
                await uow.ticket_vectors.add_many(rows)
                await uow.commit()
            if self._similar.index.loaded(company_id, space):
                await self._similar.index.add(company_id, space, rows)
            done += len(rows)
            await asyncio.sleep((time.monotonic() - started) * self._rest_ratio)
        if await self._similar.served_space() != space:
            return None
        async with self._uow_factory() as uow:
            deleted = await uow.ticket_vectors.delete_other_versions(company_id, space)
            await uow.commit()
        for old in self._similar.spaces_in_memory(company_id) - {space}:
            self._similar.forget(company_id, old)
        self._finished.add((company_id, space))
        if done or deleted:
            logger.info(
                "company %s: %s tickets re-embedded into %s, %s old vectors deleted", company_id, done, space, deleted
            )
        return done

"""After the served version changes, the companies' stored tickets are embedded again in its space.

Why in the background and in small batches: a company may hold tens of thousands of tickets, and serving must not
wait for them. Until a ticket is re-embedded, searches in the new space simply do not find it (vectors of two
versions are never compared). Each batch goes through the same batched model calls as serving (off the event
loop); after each one the re-embedding rests as long as the batch took, so it takes at most about half of the
model's time and requests interleave with it. When a company is done, its vectors of other versions are deleted.

Why a lease per company and space: every API process (several workers, several hosts on one database) runs this,
and without one each would embed every stored ticket again, for the same rows. A process re-embeds a company only
while it holds the company's lease (`WorkLease`, in the database, the one thing all processes share): taken before
the first batch, renewed with each batch's write (a process that lost it writes nothing more and stops), released
when the company is done. A process that finds the lease taken skips the company this round and comes back on the
next, by when the company is usually done (it then only drops its own copies of the old space); a process that
died leaves a lease that expires after `LEASE_TTL`, and the next round of another process takes the work over.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from application.ports.clock import Clock
from application.ports.company_repository import CompanyRepository
from application.ports.ticket_vector_repository import TicketVectorRepository
from application.ports.unit_of_work import Transaction
from application.ports.work_lease import WorkLease
from application.services.similar_tickets import SimilarTickets

logger = logging.getLogger(__name__)

LEASE_TTL = timedelta(seconds=60)
"""How long a company's lease lasts unless renewed. It is renewed with every batch's write, so it must outlast the
gap between two writes: reading a batch, embedding it (REEMBED_BATCH_SIZE tickets at ~17 ms each on a CPU, under a
second for 32, a few seconds beside a busy server) and resting as long. A minute is several times the slowest such
gap, and is how long a company whose process died waits before another process takes it over."""


def lease_name(company_id: int, space: str) -> str:
    """The lease on re-embedding a company's tickets into a space (a model version's name, at most 200 characters)."""
    return f"reembed-tickets:{company_id}:{space}"


class ReembedUnitOfWork(Transaction, Protocol):
    companies: CompanyRepository
    ticket_vectors: TicketVectorRepository
    work_leases: WorkLease


class ReembedTickets:
    """One per process; `run` loops until cancelled, `run_once` is one pass over every company. `batch_size` is
    REEMBED_BATCH_SIZE: the tickets of one step. `holder` names this process in the leases, unique among every
    process on the database (host, pid and a random part)."""

    def __init__(
        self,
        uow_factory: Callable[[], ReembedUnitOfWork],
        similar: SimilarTickets,
        batch_size: int,
        clock: Clock,
        holder: str,
        idle_seconds: float = 10.0,
        rest_ratio: float = 1.0,
        lease_ttl: timedelta = LEASE_TTL,
    ) -> None:
        self._uow_factory = uow_factory
        self._similar = similar
        self._batch_size = batch_size
        self._clock = clock
        self._holder = holder
        self._lease_ttl = lease_ttl
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
        Nothing while the classifier is not yet serving what the registry says (its space would be the wrong one).
        A company whose lease another process holds is left for a later round."""
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
        """The company's tickets re-embedded under its lease: how many, 0 when another process holds the lease or
        took it over, None when the served version changed meanwhile."""
        name = lease_name(company_id, space)
        async with self._uow_factory() as uow:
            taken = await uow.work_leases.try_acquire(name, self._holder, self._clock.now(), self._lease_ttl)
            await uow.commit()
        if not taken:
            return 0
        try:
            return await self._company_under_lease(company_id, space, name)
        finally:
            await self._release(name)

    async def _company_under_lease(self, company_id: int, space: str, name: str) -> int | None:
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
                if not await self._renew(uow, name):
                    return done
                await uow.ticket_vectors.add_many(rows)
                await uow.commit()
            if self._similar.index.loaded(company_id, space):
                await self._similar.index.add(company_id, space, rows)
            done += len(rows)
            await asyncio.sleep((time.monotonic() - started) * self._rest_ratio)
        if await self._similar.served_space() != space:
            return None
        async with self._uow_factory() as uow:
            if not await self._renew(uow, name):
                return done
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

    async def _renew(self, uow: ReembedUnitOfWork, name: str) -> bool:
        """Renews the lease in the transaction that writes under it, so nothing is written once it is lost (it
        expired and another process took the company over, which goes on from what is stored)."""
        if await uow.work_leases.try_acquire(name, self._holder, self._clock.now(), self._lease_ttl):
            return True
        logger.info("lease %s was taken over by another process; leaving the rest to it", name)
        return False

    async def _release(self, name: str) -> None:
        """Frees the lease at once, so another process need not wait for it to expire (when the work failed or the
        process is stopping); a release that fails only leaves the lease to expire."""
        try:
            async with self._uow_factory() as uow:
                await uow.work_leases.release(name, self._holder)
                await uow.commit()
        except Exception:  # noqa: BLE001 - the lease expires after LEASE_TTL anyway
            logger.warning("releasing lease %s failed; it expires on its own", name, exc_info=True)

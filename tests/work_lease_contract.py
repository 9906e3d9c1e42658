"""The work-lease contract (`WorkLease`), for every implementation.

`WorkLeaseContract` is not collected by itself; a subclass provides the `uow_factory` fixture: the in-memory fake
(tests/unit/test_work_lease_contract.py), SQLite and MariaDB (tests/integration/test_work_leases_sql.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from application.ports.unit_of_work import UnitOfWork
from application.ports.work_lease import LEASE_NAME_MAX

UowFactory = Callable[[], UnitOfWork]
T0 = datetime(2026, 3, 10, 15, 30, 0, 123456, tzinfo=UTC)
TTL = timedelta(minutes=2)
CONTENDERS = 16


async def _acquire(
    uow_factory: UowFactory, holder: str, now: datetime, name: str = "job", ttl: timedelta = TTL
) -> bool:
    async with uow_factory() as uow:
        taken = await uow.work_leases.try_acquire(name, holder, now, ttl)
        await uow.commit()
    return taken


async def _release(uow_factory: UowFactory, holder: str, name: str = "job") -> None:
    async with uow_factory() as uow:
        await uow.work_leases.release(name, holder)
        await uow.commit()


class WorkLeaseContract:
    async def test_a_free_lease_is_taken_and_refused_to_others_while_it_lasts(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "a", T0)
        assert not await _acquire(uow_factory, "b", T0)
        assert not await _acquire(uow_factory, "b", T0 + TTL - timedelta(microseconds=1))
        assert await _acquire(uow_factory, "a", T0 + timedelta(seconds=1)), "its own lease: renewed"

    async def test_an_expired_lease_goes_to_the_next_taker(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "dead", T0)
        assert await _acquire(uow_factory, "b", T0 + TTL), "expired at its expiry"
        assert not await _acquire(uow_factory, "dead", T0 + TTL), "the old holder lost it"
        assert not await _acquire(uow_factory, "c", T0 + TTL + TTL / 2)

    async def test_renewing_moves_the_expiry(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "a", T0)
        assert await _acquire(uow_factory, "a", T0 + TTL / 2)
        assert not await _acquire(uow_factory, "b", T0 + TTL), "renewed until T0 + 1.5 TTL"
        assert await _acquire(uow_factory, "b", T0 + TTL + TTL / 2)

    async def test_an_expired_lease_is_still_its_holders_until_someone_takes_it(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "a", T0)
        assert await _acquire(uow_factory, "a", T0 + 3 * TTL)
        assert not await _acquire(uow_factory, "b", T0 + 3 * TTL)

    async def test_a_released_lease_is_free_at_once(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "a", T0)
        await _release(uow_factory, "a")
        assert await _acquire(uow_factory, "b", T0)

    async def test_only_its_holder_releases_a_lease(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "a", T0)
        await _release(uow_factory, "b")
        await _release(uow_factory, "b", name="never-taken")
        assert not await _acquire(uow_factory, "b", T0)
        assert await _acquire(uow_factory, "b", T0 + TTL)
        await _release(uow_factory, "a")  # a holder that lost its lease releases it late: the new holder keeps it
        assert not await _acquire(uow_factory, "a", T0 + TTL)

    async def test_leases_of_different_names_are_independent(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "a", T0, name="company 1")
        assert await _acquire(uow_factory, "b", T0, name="company 2")
        assert not await _acquire(uow_factory, "b", T0, name="company 1")

    async def test_a_lease_taken_in_a_transaction_that_rolls_back_is_not_held(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            assert await uow.work_leases.try_acquire("job", "a", T0, TTL)
        assert await _acquire(uow_factory, "b", T0)
        async with uow_factory() as uow:
            await uow.work_leases.release("job", "b")
        assert not await _acquire(uow_factory, "a", T0), "the release rolled back too"

    async def test_times_in_any_zone_compare_as_the_same_instant(self, uow_factory: UowFactory) -> None:
        india = timezone(timedelta(hours=5, minutes=30))
        assert await _acquire(uow_factory, "a", T0.astimezone(india))
        assert not await _acquire(uow_factory, "b", (T0 + TTL - timedelta(microseconds=1)).astimezone(india))
        assert await _acquire(uow_factory, "b", T0 + TTL)

    async def test_a_name_of_the_longest_length_works_and_a_longer_one_is_refused(
        self, uow_factory: UowFactory
    ) -> None:
        longest = "n" * (LEASE_NAME_MAX - 1) + "x"
        assert await _acquire(uow_factory, "a", T0, name=longest)
        assert not await _acquire(uow_factory, "b", T0, name=longest)
        assert await _acquire(uow_factory, "b", T0, name=longest[:-1] + "y")
        with pytest.raises(ValueError):
            await _acquire(uow_factory, "a", T0, name=longest + "x")

    async def test_of_concurrent_takers_of_a_free_lease_exactly_one_gets_it(self, uow_factory: UowFactory) -> None:
        taken = await asyncio.gather(*(_acquire(uow_factory, f"p{n}", T0) for n in range(CONTENDERS)))
        assert sum(taken) == 1
        winner = f"p{taken.index(True)}"
        assert await _acquire(uow_factory, winner, T0)
        assert not any([await _acquire(uow_factory, f"p{n}", T0) for n in range(CONTENDERS) if f"p{n}" != winner])

    async def test_of_concurrent_takers_of_an_expired_lease_exactly_one_gets_it(self, uow_factory: UowFactory) -> None:
        assert await _acquire(uow_factory, "dead", T0)
        later = T0 + TTL
        taken = await asyncio.gather(*(_acquire(uow_factory, f"p{n}", later) for n in range(CONTENDERS)))
        assert sum(taken) == 1

"""The polling that makes every API process serve the registry's active version."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.inbound.polling.active_model import ActiveModelPolling
from application.use_cases.models import SyncServedModel
from domain.model_versions import ModelStatus, ModelVersion
from tests.unit.fakes import FakeServedModel, FakeUnitOfWorkFactory, FixedClock


class World:
    def __init__(self) -> None:
        self.uow, self.served = FakeUnitOfWorkFactory(), FakeServedModel()
        self.swaps = self.checks = 0
        self.database_down = False

        def sync() -> SyncServedModel:
            if self.database_down:
                raise ConnectionError("database away")
            return SyncServedModel(self.uow, self.served, FixedClock())

        def swapped() -> None:
            self.swaps += 1

        def checked() -> None:
            self.checks += 1

        self.polling = ActiveModelPolling(sync, lambda: self.served, 0.0, on_swap=swapped, on_checked=checked)

    def activate(self, name: str) -> int:
        for version_id, version in self.uow.store.versions.items():
            if version.status is ModelStatus.ACTIVE:
                self.uow.store.versions[version_id] = replace(version, status=ModelStatus.RETIRED)
        version_id = self.uow.store.new_id()
        self.uow.store.versions[version_id] = ModelVersion(
            name, f"/models/{name}", ("A", "B"), ModelStatus.ACTIVE, datetime(2026, 1, 1, tzinfo=UTC), id=version_id
        )
        return version_id


async def test_a_newly_active_version_is_served_and_only_a_swap_calls_on_swap() -> None:
    world = World()
    await world.polling.check()
    assert world.served.in_step and world.served.version_id is None
    assert (world.swaps, world.checks) == (0, 1)

    first = world.activate("v1")
    await world.polling.check()
    await world.polling.check()
    assert world.served.version_id == first
    assert (world.swaps, world.checks) == (1, 3)

    second = world.activate("v2")
    await world.polling.check()
    assert world.served.version_id == second
    assert (world.swaps, world.checks) == (2, 4)


async def test_a_run_of_failures_is_logged_once_and_the_polling_recovers(caplog: pytest.LogCaptureFixture) -> None:
    world = World()
    world.database_down = True
    with caplog.at_level(logging.WARNING, logger="adapters.inbound.polling.active_model"):
        for _ in range(3):
            await world.polling.check()
    assert [record.message for record in caplog.records] == [
        "could not check the active model version; will keep trying"
    ]
    assert world.checks == 0

    world.database_down = False
    version_id = world.activate("v1")
    await world.polling.check()
    assert world.served.version_id == version_id and world.checks == 1


async def test_run_keeps_checking_until_cancelled() -> None:
    world = World()
    polling = asyncio.create_task(world.polling.run())
    version_id = world.activate("v1")
    while world.checks < 3:
        await asyncio.sleep(0)
    polling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await polling
    assert world.served.version_id == version_id and world.swaps == 1


async def test_a_wake_checks_at_once_instead_of_at_the_end_of_the_interval() -> None:
    world = World()
    world.polling = ActiveModelPolling(
        lambda: SyncServedModel(world.uow, world.served, FixedClock()),
        lambda: world.served,
        3600.0,
        on_swap=lambda: None,
        on_checked=lambda: None,
    )
    running = asyncio.create_task(world.polling.run())

    async def until(condition: Callable[[], bool]) -> None:
        while not condition():
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(until(lambda: world.served.in_step), 30)
        version_id = world.activate("v1")
        world.polling.wake()
        await asyncio.wait_for(until(lambda: world.served.version_id == version_id), 30)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)

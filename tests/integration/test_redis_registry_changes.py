"""Registry changes over Redis pub/sub: what one process announces, every listening process hears."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from adapters.outbound.notifications.redis_registry_changes import RedisRegistryChanges

pytestmark = pytest.mark.integration


async def test_every_listener_hears_an_announcement(redis_url: str) -> None:
    channel = "ticket-utils:test-registry"
    heard = [asyncio.Event(), asyncio.Event()]
    counts = [0, 0]

    def listener(index: int) -> Callable[[], None]:
        def on_change() -> None:
            counts[index] += 1
            heard[index].set()

        return on_change

    listeners = [asyncio.create_task(RedisRegistryChanges(redis_url, channel).listen(listener(i))) for i in (0, 1)]
    try:
        # Each listener reports a change as soon as it is subscribed: it may have missed one while away.
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in heard)), 30)
        before = list(counts)
        for event in heard:
            event.clear()
        await RedisRegistryChanges(redis_url, channel).announce()
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in heard)), 30)
        assert [count - old for count, old in zip(counts, before, strict=True)] == [1, 1]
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)


async def test_an_announcement_without_redis_is_lost_quietly() -> None:
    await RedisRegistryChanges("redis://127.0.0.1:9/0").announce()

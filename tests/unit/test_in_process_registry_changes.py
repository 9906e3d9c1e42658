"""Embedded mode: an activation in the API process wakes that process's registry check at once."""

from __future__ import annotations

import asyncio

from adapters.outbound.notifications.in_process_registry_changes import InProcessRegistryChanges


async def test_an_announcement_reaches_every_listener_of_the_process_until_it_stops() -> None:
    changes = InProcessRegistryChanges()
    heard: list[str] = []
    first = asyncio.create_task(changes.listen(lambda: heard.append("first")))
    second = asyncio.create_task(changes.listen(lambda: heard.append("second")))
    await asyncio.sleep(0)
    await changes.announce()
    assert sorted(heard) == ["first", "second"]
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await changes.announce()
    assert sorted(heard) == ["first", "second", "second"]
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)

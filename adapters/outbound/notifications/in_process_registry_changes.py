"""Registry changes within one process (embedded mode: no broker, the API process itself trains)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class InProcessRegistryChanges:
    """Implements RegistryChanges for the process it lives in: `announce` calls whoever `listen`s here. Other
    processes (`serve --workers N` on the embedded database) notice a change at their next poll."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    async def announce(self) -> None:
        for listener in list(self._listeners):
            listener()

    async def listen(self, on_change: Callable[[], None]) -> None:
        """Calls `on_change` for every announcement; runs until cancelled."""
        self._listeners.append(on_change)
        try:
            await asyncio.Event().wait()
        finally:
            self._listeners.remove(on_change)

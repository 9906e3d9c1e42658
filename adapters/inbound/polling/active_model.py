"""Every API process follows the registry's active model version, so a promotion anywhere is served everywhere.

A timer drives `SyncServedModel` here as a request drives a handler: every `interval_s` the use case loads the
active version if this process does not serve it yet (or marks it bad and falls back when it does not load). `wake`
cuts the wait short when a change to the registry is announced.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from application.ports.served_model import ServedModel
from application.use_cases.models import SyncServedModel

logger = logging.getLogger(__name__)


class ActiveModelPolling:
    """`run` until cancelled. `served` gives the model `sync_served_model` swaps; `on_swap` is called after each
    check that changed the served version, `on_checked` after every check that succeeded (both on the event loop)."""

    def __init__(
        self,
        sync_served_model: Callable[[], SyncServedModel],
        served: Callable[[], ServedModel],
        interval_s: float,
        on_swap: Callable[[], None],
        on_checked: Callable[[], None],
    ) -> None:
        self._sync_served_model = sync_served_model
        self._served = served
        self._interval_s = interval_s
        self._on_swap = on_swap
        self._on_checked = on_checked
        self._failures = 0
        self._woken = asyncio.Event()

    async def run(self) -> None:
        while True:
            await self.check()
            try:
                await asyncio.wait_for(self._woken.wait(), self._interval_s)
            except TimeoutError:
                pass
            self._woken.clear()

    def wake(self) -> None:
        """Check now rather than at the end of the interval (the registry announced a change)."""
        self._woken.set()

    async def check(self) -> None:
        """One check. A failure (the database away, say) is logged at the first of a run of failures and never
        raised, so the polling goes on and recovers by itself."""
        try:
            served = self._served()
            served_before = served.serving_version_id()
            await self._sync_served_model().execute()
            self._failures = 0
            if served.serving_version_id() != served_before:
                self._on_swap()
            self._on_checked()
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the polling
            self._failures += 1
            if self._failures == 1:
                logger.warning("could not check the active model version; will keep trying", exc_info=True)

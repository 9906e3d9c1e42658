"""Builds the HTTP application: settings, container, models warmed in the background, demo data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from litestar import Litestar

from adapters.inbound.http.app import create_app
from adapters.outbound.ml.torch_threads import configure_torch_threads
from bootstrap.container import HTTP_USE_CASES, Container, build_container
from bootstrap.logging_setup import configure_logging
from bootstrap.settings import Settings, load_settings

logger = logging.getLogger(__name__)


def create_http_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    container = container or build_container(settings)
    background: set[asyncio.Task[Any]] = set()

    async def warm_models() -> None:
        configure_torch_threads(settings.torch_threads)
        await asyncio.to_thread(container.embedder().load)
        await asyncio.to_thread(container.sentiment().load)
        await container.classifier().warm_up()
        logger.info("models loaded")

    async def follow_active_model() -> None:
        """Every API process polls the registry, so a promotion anywhere is served everywhere within seconds."""
        failures = 0
        while True:
            try:
                await container.sync_served_model().execute()
                failures = 0
            except Exception:  # noqa: BLE001 - a database hiccup must not stop the polling
                failures += 1
                if failures == 1:
                    logger.warning("could not check the active model version; will keep trying", exc_info=True)
            await asyncio.sleep(settings.model_poll_interval_s)

    def in_background(coroutine: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        background.add(task)
        task.add_done_callback(background.discard)

    async def on_startup() -> None:
        logger.info("starting ticket-utils with %s", settings.describe())
        if settings.seed_demo_data and await container.seed_demo_data().execute():
            logger.info("created the demo company (id 1) and its teams")
        # Loading takes seconds; the server answers /health meanwhile and requests wait for the lazy load.
        in_background(warm_models(), "warm-models")
        in_background(follow_active_model(), "follow-active-model")

    async def on_shutdown() -> None:
        for task in list(background):
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        queue = container.job_queue()
        drain = getattr(queue, "drain", None)
        if drain is not None:
            await drain()
        await container.engine().dispose()

    return create_app(
        providers={name: _zero_argument(getattr(container, name)) for name in HTTP_USE_CASES},
        max_body_bytes=settings.max_body_bytes,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
    )


def _zero_argument(provider: Callable[[], object]) -> Callable[[], object]:
    """Litestar inspects a dependency's signature, so each provider is wrapped in a plain function."""

    def provide() -> object:
        return provider()

    return provide

"""Builds the HTTP application: settings, container, models warmed in the background, demo data."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from litestar import Litestar

from adapters.inbound.http.app import create_app
from adapters.inbound.http.security.config import HttpSecurity
from adapters.inbound.polling.active_model import ActiveModelPolling
from adapters.outbound.metrics.prometheus_metrics import forget_process
from adapters.outbound.ml.framework_imports import import_model_classes
from adapters.outbound.ml.serving.micro_batcher import observe_batches
from adapters.outbound.ml.torch_threads import configure_torch_threads
from bootstrap.container import Container, build_container
from bootstrap.http_use_cases import container_use_cases
from bootstrap.logging_setup import configure_logging
from bootstrap.long_lived_objects import freeze_loaded_models
from bootstrap.session_secret import session_secret
from bootstrap.settings import Settings, load_settings
from domain.access import ApiKeyRing

logger = logging.getLogger(__name__)


def create_http_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    container = container or build_container(settings)
    background: set[asyncio.Task[Any]] = set()
    observe_batches(container.metrics().batch_ran)

    async def warm_models() -> None:
        configure_torch_threads(settings.torch_threads)
        await asyncio.to_thread(import_model_classes)
        await asyncio.to_thread(container.embedder().load)
        await asyncio.to_thread(container.sentiment().load)
        await container.classifier().warm_up()
        freeze_loaded_models()
        logger.info("models loaded")

    def report_served_version() -> None:
        container.metrics().model_served(container.classifier().serving_version_name())

    # Every API process polls the registry, so a promotion anywhere is served everywhere within seconds; an
    # announced change (`registry_changes`) wakes it at once.
    polling = ActiveModelPolling(
        container.sync_served_model,
        container.classifier,
        settings.model_poll_interval_s,
        on_swap=freeze_loaded_models,
        on_checked=report_served_version,
    )

    async def warm_then_follow_active_model() -> None:
        # In this order: loading the active version while the fallback's models load would race in transformers.
        try:
            await warm_models()
        except Exception:  # noqa: BLE001 - readiness stays false and requests retry the lazy load
            logger.exception("loading the models failed")
        await polling.run()

    async def hint_at_the_first_admin() -> None:
        try:
            if await container.count_admin_users().execute() == 0:
                logger.warning("no admin user yet: run `ticket-utils createsuperuser --username <name>` to use /admin/")
        except Exception:  # noqa: BLE001 - only a hint; a database outage is the readiness probe's to report
            logger.debug("could not count admin users", exc_info=True)

    def in_background(coroutine: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        background.add(task)
        task.add_done_callback(background.discard)

    async def on_startup() -> None:
        logger.info("starting ticket-utils with %s", settings.describe())
        if settings.seed_demo_data and await container.seed_demo_data().execute():
            logger.info("created the demo company (id 1) and its teams")
        await hint_at_the_first_admin()
        # Loading takes seconds; the server answers /health meanwhile and requests wait for the lazy load.
        in_background(warm_then_follow_active_model(), "models")
        in_background(container.registry_changes().listen(polling.wake), "registry-changes")
        in_background(container.reembed_tickets().run(), "reembed-tickets")

    async def on_shutdown() -> None:
        for task in list(background):
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await container.job_queue().drain()
        await container.engine().dispose()
        forget_process(os.getpid())  # its live gauges leave the shared metrics with it

    return create_app(
        use_cases=container_use_cases(container),
        max_body_bytes=settings.max_body_bytes,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        security=_http_security(settings),
        max_upload_bytes=settings.max_upload_bytes,
    )


def _http_security(settings: Settings) -> HttpSecurity:
    return HttpSecurity(
        api_keys=ApiKeyRing(settings.service_api_keys, settings.admin_api_keys),
        secret=session_secret(settings),
        cookie_secure=settings.cookie_secure,
        session_max_age_s=settings.session_max_age_s,
    )

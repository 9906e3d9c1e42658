"""The Dramatiq worker process: one event loop for the async use cases, actors bound to the Redis broker."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from adapters.inbound.worker.actors import register_retraining_actor
from adapters.outbound.ml.framework_imports import import_model_classes
from adapters.outbound.ml.torch_threads import configure_torch_threads
from bootstrap.container import TRAINING_QUEUE, Container, build_container
from bootstrap.logging_setup import configure_logging
from bootstrap.settings import Settings, mask_url

logger = logging.getLogger(__name__)
T = TypeVar("T")


class LoopThread:
    """A long-lived event loop in a thread: the engine's connections stay bound to one loop across jobs."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="worker-loop", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def start_worker(settings: Settings, container: Container | None = None, threads: int = 1) -> tuple[Any, LoopThread]:
    """Declares the actors on the broker and starts consuming; returns the worker and its loop, for stopping."""
    import dramatiq

    if settings.broker_url is None:
        raise SystemExit("the worker needs BROKER_URL (or CELERY_BROKER_URL) pointing at Redis")
    container = container or build_container(settings)
    broker = container.broker()
    # Dramatiq binds actors to a broker when they are declared, so the broker is chosen first.
    dramatiq.set_broker(broker)
    loop = LoopThread()

    def run_retraining(run_id: int) -> None:
        loop.run(container.export_tickets_and_retrain().execute(run_id))

    # Runs left running by a worker that died are abandoned now, so their slot is free before any job arrives.
    abandoned = loop.run(container.abandoned_runs().reap())
    if abandoned:
        logger.warning(
            "abandoned %d training run(s) whose worker stopped: %s",
            len(abandoned),
            ", ".join(str(run.id) for run in abandoned),
        )
    register_retraining_actor(broker, TRAINING_QUEUE, run_retraining, settings.training_timeout_s * 1000)
    worker = dramatiq.Worker(broker, worker_threads=threads, queues={TRAINING_QUEUE})
    worker.start()
    logger.info("worker consuming queue %r from %s", TRAINING_QUEUE, mask_url(settings.broker_url))
    return worker, loop


def run_worker(settings: Settings, threads: int = 1) -> None:
    configure_logging(settings.log_level)
    configure_torch_threads(settings.torch_threads)
    import_model_classes()
    worker, loop = start_worker(settings, threads=threads)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    logger.info("stopping worker")
    worker.stop()
    loop.stop()

"""Prometheus metrics (prometheus-client), correct with one process or several.

With several worker processes (`ticket-utils serve --workers N`), `PROMETHEUS_MULTIPROC_DIR` names a directory the
processes share: each one writes its values to files there and a scrape, answered by any one of them, adds them
up (`MultiProcessCollector`). The variable must be set before prometheus-client is first imported in a process,
which is why the import is deferred to the first use and `serve` sets it before starting the workers.

The model version served is a gauge per version label, 1 while served: in multiprocess mode the maximum over the
live processes, so a version shows 1 while any process serves it.

The bursts gauge has a series per company of the latest detection: a company gone since (deleted) loses its series,
or, in multiprocess mode, where prometheus-client cannot remove a series from the shared files, falls to 0.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from application.ports.metrics_exposition import MetricsPage
from domain.training_runs import RunStatus

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
ZERO_SHOT = "zero-shot"


@dataclass(frozen=True, slots=True)
class _Instruments:
    answered: Any
    latency: Any
    counted: Any
    batch_size: Any
    model_served: Any
    bursts: Any
    burst_series: set[str]
    """The company ids the bursts gauge has a series for in this process."""


_lock = threading.Lock()
_instruments: _Instruments | None = None


def _get() -> _Instruments:
    """Registered once per process (the default registry refuses a second registration of a name)."""
    global _instruments
    with _lock:
        if _instruments is None:
            from prometheus_client import Counter, Gauge, Histogram

            _instruments = _Instruments(
                answered=Counter("ticket_utils_analyses", "Tickets analysed and answered.", ["call"]),
                latency=Histogram(
                    "ticket_utils_analyze_duration_seconds",
                    "Time to answer one analyze call, recording included.",
                    ["call"],
                    buckets=LATENCY_BUCKETS,
                ),
                counted=Counter("ticket_utils_retraining_counted_analyses", "Analyses counted toward retraining."),
                batch_size=Histogram(
                    "ticket_utils_model_batch_size",
                    "Texts per batch a model's micro-batcher ran.",
                    ["model"],
                    buckets=BATCH_BUCKETS,
                ),
                model_served=Gauge(
                    "ticket_utils_model_version_served",
                    "1 for the category model version being served.",
                    ["version"],
                    multiprocess_mode="livemax",
                ),
                bursts=Gauge(
                    "ticket_utils_bursts",
                    "Bursts of near-identical tickets of a company in the last burst window (latest detection).",
                    ["company_id"],
                    multiprocess_mode="livemax",
                ),
                burst_series=set(),
            )
        return _instruments


class PrometheusMetrics:
    """Implements `application.ports.metrics.Metrics`, plus what bootstrap reports: batch sizes and the served
    model version."""

    def __init__(self) -> None:
        self._served: str | None = None

    def analyses_answered(self, count: int, seconds: float, batch: bool) -> None:
        instruments = _get()
        call = "batch" if batch else "single"
        instruments.answered.labels(call).inc(count)
        instruments.latency.labels(call).observe(seconds)

    def analyses_counted(self, count: int) -> None:
        _get().counted.inc(count)

    def batch_ran(self, batcher: str, size: int) -> None:
        """A micro-batcher ran `size` requests; its name loses any version suffix (model-12 → model)."""
        _get().batch_size.labels(re.sub(r"-\d+$", "", batcher)).observe(size)

    def model_served(self, version: str | None) -> None:
        version = version or ZERO_SHOT
        if version == self._served:
            return
        gauge = _get().model_served
        if self._served is not None:
            gauge.labels(self._served).set(0)
        gauge.labels(version).set(1)
        self._served = version

    def bursts(self, per_company: Mapping[int, int]) -> None:
        instruments = _get()
        gauge = instruments.bursts
        current = {str(company_id): count for company_id, count in per_company.items()}
        for company_id, count in current.items():
            gauge.labels(company_id).set(count)
        for gone in instruments.burst_series - current.keys():
            if os.environ.get(MULTIPROC_ENV):
                gauge.labels(gone).set(0)  # remove() only warns there: the value stays in this process's file
            else:
                gauge.remove(gone)
        instruments.burst_series.clear()
        instruments.burst_series.update(current)


class PrometheusExposition:
    """Implements `application.ports.metrics_exposition.MetricsExposition`."""

    def render(self, training_runs: Mapping[RunStatus, int]) -> MetricsPage:
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

        _get()  # so the page names every metric even before its first observation
        registry = CollectorRegistry(auto_describe=False)
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client.multiprocess import MultiProcessCollector

            MultiProcessCollector(registry)
        else:
            registry.register(_Forward(REGISTRY))
        registry.register(_TrainingRuns(training_runs))
        return MetricsPage(generate_latest(registry), CONTENT_TYPE_LATEST)


class _Forward:
    """This process's own metrics (single-process mode)."""

    def __init__(self, registry: Any) -> None:
        self._registry = registry

    def collect(self) -> Iterable[Any]:
        metrics: Iterable[Any] = self._registry.collect()
        return metrics


class _TrainingRuns:
    def __init__(self, counts: Mapping[RunStatus, int]) -> None:
        self._counts = counts

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "ticket_utils_training_runs", "Training runs by status (database).", labels=["status"]
        )
        for status in RunStatus:
            family.add_metric([status.value], float(self._counts.get(status, 0)))
        yield family


def prepare_multiprocess_dir(path: str) -> None:
    """Empties the shared directory before the workers start: files of an earlier run would be added up too."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))


def forget_process(pid: int) -> None:
    """Drops a stopped process's live gauges (multiprocess mode only)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)

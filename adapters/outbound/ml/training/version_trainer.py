"""Trains a model version (transformer, TF-IDF linear model, blend weight) and writes its folder.

Why a blend: the two models err on different tickets (the linear model sees the whole ticket and rare exact
keywords, the transformer sees word pieces and context in the first max_length tokens), so
p = w * p_bert + (1 - w) * p_linear beats either alone; w is picked on the validation split, never the test split.
The folder layout is the one `serving.model_version` reads. A version is written to "<dir>.partial" and renamed
into place when complete, so a crash never leaves a folder that looks loadable. A version with a transformer also
gets its ONNX graphs (fp32 and int8, see `onnx_export`) for serving; an export that fails is logged and recorded in
training.json, never fails the training: serving then runs the transformer on torch.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from adapters.outbound.ml.allocator import release_free_memory
from adapters.outbound.ml.serving.model_version import (
    BERT_DIR,
    FORMAT,
    KINDS,
    LINEAR_DIR,
    MODEL_FILE,
    TRAINING_FILE,
    blend,
)
from adapters.outbound.ml.serving.tfidf_model import TfidfLinearModel
from adapters.outbound.ml.training.blend_weight import choose_bert_weight
from adapters.outbound.ml.training.config import FineTuneConfig
from adapters.outbound.ml.training.tfidf_fit import LinearSettings, refit_tfidf_linear, train_tfidf_linear
from domain.metrics import evaluate

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, float, float | None], None]


@dataclass(frozen=True, slots=True)
class LabelledTexts:
    """Parallel lists of ticket texts and their topic labels (one split)."""

    texts: Sequence[str]
    labels: Sequence[str]

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise ValueError(f"{len(self.texts)} texts but {len(self.labels)} labels")


def train_model_version(
    train: LabelledTexts,
    val: LabelledTexts,
    labels: list[str],
    out_dir: Path,
    config: FineTuneConfig,
    base_model_dir: Path,
    on_progress: ProgressCallback | None = None,
    kind: str = "hybrid",
    linear_settings: LinearSettings | None = None,
    linear_from: Path | None = None,
    encoder_train: LabelledTexts | None = None,
    linear_warm_start: Path | None = None,
) -> dict[str, Any]:
    """Trains the components `kind` needs, blends on `val`, writes the version folder; returns its training.json.

    `base_model_dir` is the MiniLM folder, an earlier fine-tuned HF folder, or an earlier model-version folder
    (its bert/ part is the warm start). `val` must be non-empty: it chooses the blend weight and scores the run.
    `linear_from` is a version folder whose linear model was fitted on this very `train` split (the linear stage
    of the same run): it is copied instead of fitted again, which saves the linear fit's time. `encoder_train`,
    when given, is what the transformer trains on instead of `train` (an update's new tickets and replay sample),
    while the linear model still fits `train`. `linear_warm_start` (an update) is a version folder whose linear
    model seeds the fit: its vocabulary is kept and its coefficients start the regression (`refit_tfidf_linear`).
    """
    import numpy as np

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not val.texts:
        raise ValueError("a validation split is needed to choose the blend weight and report metrics")
    progress = on_progress or (lambda phase, percent, loss: None)
    staging = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    started = time.monotonic()
    durations: dict[str, float] = {}
    val_probabilities: dict[str, Any] = {}
    components: dict[str, Any] = {}

    if kind in ("hybrid", "linear"):
        progress("linear", 0.0, None)
        reused = _reuse_linear(linear_from, staging / LINEAR_DIR, labels) if linear_from is not None else None
        if reused is not None:
            linear, linear_json = reused
            components["linear_reused_from"] = str(linear_from)
        else:
            settings = linear_settings or LinearSettings()
            start = _linear_of(linear_warm_start) if linear_warm_start is not None else None
            refitted = refit_tfidf_linear(train.texts, train.labels, labels, settings, start) if start else None
            if refitted is not None:
                components["linear_warm_started_from"] = str(linear_warm_start)
            linear = refitted or train_tfidf_linear(train.texts, train.labels, labels, settings)
            linear.save(staging / LINEAR_DIR)
            linear_json = linear.settings
        val_probabilities["linear"] = linear.predict_proba(val.texts)
        durations["linear"] = round(time.monotonic() - started, 2)
        components["linear_settings"] = linear_json
        del linear
        release_free_memory()  # the vectorizers' fitting vocabulary and matrices, before the transformer loads
        progress("linear", 100.0, None)

    if kind in ("hybrid", "bert"):
        from adapters.outbound.ml.training.fine_tune import train_sequence_classifier

        bert_started = time.monotonic()
        encoder = encoder_train if encoder_train is not None else train
        outcome = train_sequence_classifier(
            encoder.texts,
            encoder.labels,
            val.texts,
            val.labels,
            labels,
            staging / BERT_DIR,
            config,
            resolve_base_model_dir(base_model_dir),
            progress,
        )
        val_probabilities["bert"] = outcome.val_probabilities
        durations["bert"] = round(time.monotonic() - bert_started, 2)
        components["fine_tune"] = {k: v for k, v in outcome.summary.items() if k != "val"}
        # The export reloads the saved weights itself: the trained model is not kept beside its graphs.
        del outcome
        release_free_memory()

    progress("blending", 0.0, None)
    truth = [labels.index(label) for label in val.labels]
    if kind == "hybrid":
        weight, weight_curve = choose_bert_weight(val_probabilities["bert"], val_probabilities["linear"], truth)
    else:
        weight, weight_curve = (1.0 if kind == "bert" else 0.0), []
    val_probabilities["hybrid"] = blend(val_probabilities.get("bert"), val_probabilities.get("linear"), weight)
    metrics = {
        name: evaluate(list(val.labels), [labels[i] for i in np.argmax(p, axis=1)], labels).to_json()
        for name, p in val_probabilities.items()
    }
    manifest = {
        "format": FORMAT,
        "kind": kind,
        "labels": list(labels),
        "bert_weight": weight,
        "max_length": config.max_length,
    }
    (staging / MODEL_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    if kind in ("hybrid", "bert"):
        progress("onnx", 0.0, None)
        onnx_started = time.monotonic()
        components |= _export_onnx(
            staging,
            val.texts,
            truth,
            config.max_length,
            val_probabilities["bert"],
            val_probabilities.get("linear"),
            weight,
        )
        durations["onnx_export"] = round(time.monotonic() - onnx_started, 2)
        release_free_memory()
        progress("onnx", 100.0, None)
    durations["total"] = round(time.monotonic() - started, 2)
    report = {
        **manifest,
        "val": metrics,
        "weight_curve": weight_curve,
        "durations_s": durations,
        "n_train": len(train.texts),
        "n_val": len(val.texts),
        **components,
    }
    (staging / TRAINING_FILE).write_text(json.dumps(report, indent=2), encoding="utf-8")
    _apply_umask(staging)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)
    progress("done", 100.0, None)
    return report


def _export_onnx(
    version: Path,
    texts: Sequence[str],
    truth: Sequence[int],
    max_length: int,
    bert_probabilities: Any,
    linear_probabilities: Any | None,
    weight: float,
) -> dict[str, Any]:
    """The ONNX graphs of the version's transformer, the int8 graph kept only under the issue's accuracy rule;
    returns what training.json records. Any failure is logged and recorded, never raised: the version is
    complete without graphs (serving falls back to torch), and whatever the failed export wrote is removed, so
    no graph is served that skipped a check (an int8 graph that never faced the accuracy rule, say). A kept int8
    graph's probabilities on `texts` (the validation split) are recorded in `version` for its calibration."""
    from adapters.outbound.ml.serving.onnx_classifier import FP32_FILE, INT8_FILE, MANIFEST_FILE
    from adapters.outbound.ml.training.onnx_export import apply_int8_accuracy_rule, export_onnx
    from adapters.outbound.ml.training.recorded_validation import discard_validation

    bert_dir = version / BERT_DIR
    try:
        exported = export_onnx(bert_dir, max_length)
        rule = apply_int8_accuracy_rule(
            bert_dir, texts, truth, max_length, bert_probabilities, linear_probabilities, weight, record_in=version
        )
    except Exception as error:  # noqa: BLE001 - a version without graphs is served by torch; training succeeds
        logger.exception("ONNX export of %s failed; the version will be served by torch", bert_dir)
        for name in (MANIFEST_FILE, INT8_FILE, FP32_FILE):
            (bert_dir / name).unlink(missing_ok=True)
        discard_validation(version)
        reason = f"export failed: {error!r}"
        return {"onnx": {"written": {}, "refused": {"onnx": reason, "onnx-int8": reason}}, "int8_rule": None}
    logger.info("ONNX graphs of %s: written %s, refused %s", bert_dir, exported.written, exported.refused)
    return {"onnx": _finite(asdict(exported)), "int8_rule": rule}


def _finite(value: Any) -> Any:
    """The JSON-able copy of `value` with non-finite floats as None (a database JSON column refuses Infinity)."""
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _reuse_linear(source: Path, target: Path, labels: list[str]) -> tuple[TfidfLinearModel, Any] | None:
    """Copies the linear model of the version at `source` to `target` and loads it; None (fit it again) when that
    version has none or it was fitted for other labels."""
    if not (source / LINEAR_DIR).is_dir():
        return None
    shutil.copytree(source / LINEAR_DIR, target)
    model = TfidfLinearModel.load(target)
    if list(model.labels) != list(labels):
        shutil.rmtree(target)
        return None
    return model, model.settings


def _linear_of(version: Path) -> TfidfLinearModel | None:
    """The linear model of the version folder `version`; None when it has none (a transformer-only version)."""
    return TfidfLinearModel.load(version / LINEAR_DIR) if (version / LINEAR_DIR).is_dir() else None


def update_manifest(version_dir: Path, changes: dict[str, Any]) -> None:
    """Sets `changes` in the version's model.json, atomically: the new manifest is written beside it and renamed
    over it, so a serving process reading it meanwhile sees the old one or the new one, never half of one."""
    target = version_dir / MODEL_FILE
    manifest = json.loads(target.read_text(encoding="utf-8"))
    manifest.update(changes)
    staging = target.with_name(f".{MODEL_FILE}.{os.getpid()}.tmp")
    try:
        staging.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        staging.chmod(0o666 & ~_current_umask())
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


def _apply_umask(folder: Path) -> None:
    """Gives every file the mode the process umask allows (0644 under the usual 022).

    Why: safetensors writes its files 0600 whatever the umask, so an API process running as another user
    than the worker (sharing the model store) could not read the weights.
    """
    mode = 0o666 & ~_current_umask()
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(mode)


def _current_umask() -> int:
    try:  # Linux reports it without changing it; os.umask() would race with other threads
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def resolve_base_model_dir(base_model_dir: Path) -> Path:
    """A model-version folder warm-starts from its bert/ part; any other folder is taken as an HF checkpoint."""
    if (base_model_dir / MODEL_FILE).is_file() and (base_model_dir / BERT_DIR).is_dir():
        return base_model_dir / BERT_DIR
    return base_model_dir

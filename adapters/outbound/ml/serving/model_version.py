"""Reads and serves a model-version folder: the fine-tuned transformer, the TF-IDF linear model and their blend.

Folder layout (safetensors, JSON and ONNX protobuf graphs, nothing pickled; training writes it):
    <dir>/model.json      {"format": 1, "kind": "hybrid"|"bert"|"linear", "labels": [...], "bert_weight": w,
                           "max_length": n, "temperature": T, "thresholds": {...}}
    <dir>/bert/           save_pretrained output (config.json with id2label, model.safetensors, tokenizer files),
                          and the ONNX graphs training exported from it (model.onnx, model.int8.onnx, onnx.json)
    <dir>/linear/         tfidf.json + linear.safetensors
    <dir>/training.json   per-component validation metrics, durations, settings
Served probabilities are softmax(log(p) / T) of the blend p = w * p_bert + (1 - w) * p_linear, with w and T read
from model.json (`domain.calibration`). The retraining job's calibration step adds T and the decision thresholds
(`domain.decision_thresholds.ThresholdTable.to_json`) after training; a version without them (an older one) is
served uncalibrated: T = 1 and no thresholds.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.outbound.ml.serving.devices import resolve_device
from adapters.outbound.ml.serving.onnx_classifier import TransformerRunner, load_transformer_runner
from adapters.outbound.ml.serving.tfidf_model import TfidfLinearModel
from domain.calibration import PROBABILITY_FLOOR
from domain.decision_thresholds import ThresholdTable
from domain.predictions import Vector

MODEL_FILE = "model.json"
BERT_DIR = "bert"
LINEAR_DIR = "linear"
TRAINING_FILE = "training.json"
FORMAT = 1
KINDS = ("hybrid", "bert", "linear")
REASONS = 5
"""How many words of a ticket a prediction names as its reasons, at most."""

ScoredText = tuple[list[float], tuple[str, ...], Vector | None]
"""One text's served probabilities (in `labels` order), the words that pushed most towards the winning label, and
the transformer's unit-length text vector from the same pass (None without a transformer that gives one)."""


def blend(bert: Any | None, linear: Any | None, weight: float) -> Any:
    """w * bert + (1 - w) * linear; a missing component must carry zero weight."""
    if bert is None and linear is None:
        raise ValueError("nothing to blend")
    if bert is None or weight <= 0.0:
        if linear is None:
            raise ValueError("bert weight is 0 but there is no linear component")
        return linear
    if linear is None or weight >= 1.0:
        return bert
    return weight * bert + (1.0 - weight) * linear


def scale_probabilities(probabilities: Any, temperature: float) -> Any:
    """`domain.calibration.apply_temperature` of every row of a numpy array at once; T == 1 returns it as it is."""
    import numpy as np

    if temperature == 1.0:
        return probabilities
    scaled = np.log(np.maximum(probabilities, PROBABILITY_FLOOR)) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exponentials = np.exp(scaled)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def winning_indices(probabilities: Any, labels: Sequence[str]) -> list[int]:
    """Per row, the label `CategoryPrediction.from_scores` picks: the highest probability, ties by label name."""
    return [min(range(len(labels)), key=lambda i: (-row[i], labels[i])) for row in probabilities.tolist()]


class LoadedModelVersion:
    """Serves a version folder: `predict_proba(texts)` -> per-text probabilities in `labels` order.

    Components load on construction (the transformer only when it has non-zero weight; `load_unused=True` also
    loads a zero-weight component, for per-component evaluation). `runtime` picks how the transformer runs
    ("onnx-int8", "onnx" or "torch", see `onnx_classifier.load_transformer_runner`, which falls back to the next one
    when the version has no usable graph); `self.runtime` says which one serves ("none" without a transformer).
    `threads` is ONNX Runtime's intra-op thread count (torch's is set once per process); `spinning=False` lets its
    idle threads sleep (see `load_transformer_runner`). The default runtime, torch, is
    what training and evaluation use. Inference is batched, length-sorted and dynamically padded; a lock makes
    one instance safe to share between threads.
    """

    def __init__(
        self,
        model_dir: Path | str,
        device: str = "cpu",
        batch_size: int = 64,
        load_unused: bool = False,
        runtime: str = "torch",
        threads: int | None = None,
        spinning: bool = True,
    ) -> None:
        self.model_dir = Path(model_dir)
        manifest = json.loads((self.model_dir / MODEL_FILE).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("kind") not in KINDS:
            raise ValueError(f"{self.model_dir}: unsupported model.json (format/kind)")
        self.kind: str = manifest["kind"]
        self.labels: list[str] = [str(label) for label in manifest["labels"]]
        self.bert_weight = float(manifest["bert_weight"])
        self.max_length = int(manifest["max_length"])
        self.temperature = float(manifest.get("temperature", 1.0))
        if not math.isfinite(self.temperature) or self.temperature <= 0.0:
            raise ValueError(f"{self.model_dir}: temperature must be a finite number > 0")
        stored_thresholds = manifest.get("thresholds")
        self.thresholds = None if stored_thresholds is None else ThresholdTable.from_json(stored_thresholds)
        self._batch_size = batch_size
        self._device = resolve_device(device)
        self._lock = threading.Lock()
        has_linear, has_bert = (self.model_dir / LINEAR_DIR).is_dir(), (self.model_dir / BERT_DIR).is_dir()
        wants_linear = self.bert_weight < 1.0 or (load_unused and has_linear)
        wants_bert = self.bert_weight > 0.0 or (load_unused and has_bert)
        self._linear = self._load_linear() if wants_linear else None
        self._bert = self._load_bert(runtime, threads, spinning) if wants_bert else None
        self.runtime = self._bert.runtime if self._bert is not None else "none"

    def predict_proba(self, texts: Sequence[str]) -> list[list[float]]:
        """Served (calibrated) probabilities for each text (rows sum to 1), in `self.labels` order."""
        rows: list[list[float]] = self.predict_proba_array(texts).tolist()
        return rows

    def predict_proba_array(self, texts: Sequence[str]) -> Any:
        """Like `predict_proba` but as a numpy array (what evaluation code wants)."""
        return scale_probabilities(self.predict_components(texts)["hybrid"], self.temperature)

    def predict_with_reasons(self, texts: Sequence[str]) -> list[ScoredText]:
        """Per text, the served probabilities, up to REASONS words of it that pushed most towards the winning
        label (from the TF-IDF part; none for a version without one) and the transformer's text vector, in one
        pass over the texts."""
        parts = self.predict_components(texts, keep_features=True, keep_embeddings=True)
        probabilities = scale_probabilities(parts["hybrid"], self.temperature)
        rows: list[list[float]] = probabilities.tolist()
        vectors = parts.get("embedding")
        embeddings: list[Vector | None] = (
            [None] * len(rows) if vectors is None else [tuple(vector) for vector in vectors.tolist()]
        )
        features = parts.get("features")
        if features is None or self._linear is None:
            return [(row, (), vector) for row, vector in zip(rows, embeddings, strict=True)]
        winners = winning_indices(probabilities, self.labels)
        with self._lock:
            reasons = self._linear.reasons(features, winners, REASONS)
        return list(zip(rows, reasons, embeddings, strict=True))

    def predict_components(
        self, texts: Sequence[str], keep_features: bool = False, keep_embeddings: bool = False
    ) -> dict[str, Any]:
        """Numpy probabilities of each loaded component ("bert", "linear") and of their raw blend ("hybrid"),
        before the temperature; with `keep_features`, also the TF-IDF matrix of the texts ("features"); with
        `keep_embeddings`, the transformer's text vectors ("embedding", absent when it gives none)."""
        import numpy as np

        if not texts:
            return {"hybrid": np.zeros((0, len(self.labels)))}
        parts: dict[str, Any] = {}
        with self._lock:
            if self._linear is not None:
                features = self._linear.transform(list(texts))
                parts["linear"] = self._linear.predict_proba_features(features)
                if keep_features:
                    parts["features"] = features
            if self._bert is not None and keep_embeddings:
                parts["bert"], vectors = self._bert.predict(list(texts))
                if vectors is not None:
                    parts["embedding"] = vectors
            elif self._bert is not None:
                parts["bert"] = self._bert.predict_probabilities(list(texts))
        parts["hybrid"] = blend(parts.get("bert"), parts.get("linear"), self.bert_weight)
        return parts

    def blend_with_transformer(self, texts: Sequence[str], bert_probabilities: Any) -> Any:
        """The raw blend ("hybrid" of `predict_components`) of `texts`, given the transformer's probabilities on
        them as measured earlier by the runtime serving here: only the linear model runs."""
        with self._lock:
            linear = None
            if self._linear is not None:
                linear = self._linear.predict_proba_features(self._linear.transform(list(texts)))
        return blend(bert_probabilities, linear, self.bert_weight)

    def _load_linear(self) -> TfidfLinearModel:
        linear = TfidfLinearModel.load(self.model_dir / LINEAR_DIR)
        if linear.labels != self.labels:
            raise ValueError(f"{self.model_dir}: linear labels {linear.labels} differ from model.json")
        return linear

    def _load_bert(self, runtime: str, threads: int | None, spinning: bool) -> TransformerRunner:
        directory = self.model_dir / BERT_DIR
        runner = load_transformer_runner(
            directory, runtime, self.max_length, self._batch_size, threads, self._device, spinning
        )
        if runner.labels != self.labels:
            raise ValueError(f"{directory}: id2label {runner.labels} differs from model.json labels")
        return runner

"""A model version = fine-tuned transformer + TF-IDF linear model + the blend weight, in one folder.

Why a blend: the two models err on different tickets (the linear model sees the whole ticket and rare exact
keywords, the transformer sees word pieces and context in the first max_length tokens), so
p = w * p_bert + (1 - w) * p_linear beats either alone; w is picked on the validation split, never the test split.

Folder layout (everything safetensors or JSON, nothing pickled):
    <dir>/model.json      {"format": 1, "kind": "hybrid"|"bert"|"linear", "labels": [...], "bert_weight": w,
                           "max_length": n}
    <dir>/bert/           save_pretrained output (config.json with id2label, model.safetensors, tokenizer files)
    <dir>/linear/         tfidf.json + linear.safetensors
    <dir>/training.json   per-component validation metrics, durations, settings
A version is written to "<dir>.partial" and renamed into place when complete, so a crash never leaves a folder
that looks loadable.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.outbound.ml.training.config import FineTuneConfig, resolve_device
from adapters.outbound.ml.training.evaluation import classification_report
from adapters.outbound.ml.training.tfidf_linear import LinearSettings, TfidfLinearModel, train_tfidf_linear

MODEL_FILE = "model.json"
BERT_DIR = "bert"
LINEAR_DIR = "linear"
TRAINING_FILE = "training.json"
FORMAT = 1
KINDS = ("hybrid", "bert", "linear")

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
) -> dict[str, Any]:
    """Trains the components `kind` needs, blends on `val`, writes the version folder; returns its training.json.

    `base_model_dir` is the MiniLM folder, an earlier fine-tuned HF folder, or an earlier model-version folder
    (its bert/ part is the warm start). `val` must be non-empty: it chooses the blend weight and scores the run.
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
        settings = linear_settings or LinearSettings()
        linear = train_tfidf_linear(train.texts, train.labels, labels, settings)
        linear.save(staging / LINEAR_DIR)
        val_probabilities["linear"] = linear.predict_proba(val.texts)
        durations["linear"] = round(time.monotonic() - started, 2)
        components["linear_settings"] = settings.to_json()
        progress("linear", 100.0, None)

    if kind in ("hybrid", "bert"):
        from adapters.outbound.ml.training.fine_tune import train_sequence_classifier

        bert_started = time.monotonic()
        outcome = train_sequence_classifier(
            train.texts, train.labels, val.texts, val.labels, labels, staging / BERT_DIR, config,
            resolve_base_model_dir(base_model_dir), progress,
        )
        val_probabilities["bert"] = outcome.val_probabilities
        durations["bert"] = round(time.monotonic() - bert_started, 2)
        components["fine_tune"] = {k: v for k, v in outcome.summary.items() if k != "val"}

    progress("blending", 0.0, None)
    truth = [labels.index(label) for label in val.labels]
    if kind == "hybrid":
        weight, weight_curve = choose_bert_weight(val_probabilities["bert"], val_probabilities["linear"], truth)
    else:
        weight, weight_curve = (1.0 if kind == "bert" else 0.0), []
    val_probabilities["hybrid"] = blend(val_probabilities.get("bert"), val_probabilities.get("linear"), weight)
    metrics = {
        name: classification_report(list(val.labels), [labels[i] for i in np.argmax(p, axis=1)], labels)
        for name, p in val_probabilities.items()
    }
    manifest = {"format": FORMAT, "kind": kind, "labels": list(labels), "bert_weight": weight,
                "max_length": config.max_length}
    (staging / MODEL_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    durations["total"] = round(time.monotonic() - started, 2)
    report = {**manifest, "val": metrics, "weight_curve": weight_curve, "durations_s": durations,
              "n_train": len(train.texts), "n_val": len(val.texts), **components}
    (staging / TRAINING_FILE).write_text(json.dumps(report, indent=2), encoding="utf-8")
    _apply_umask(staging)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)
    progress("done", 100.0, None)
    return report


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


def choose_bert_weight(
    bert: Any, linear: Any, truth: Sequence[int], steps: int = 20
) -> tuple[float, list[dict[str, float]]]:
    """Grid-searches w in [0, 1]: best validation accuracy, ties broken by lower log-loss, then by w near 0.5."""
    import numpy as np

    target = np.asarray(truth)
    curve, best_key, best_weight = [], None, 0.5
    for step in range(steps + 1):
        weight = step / steps
        mixed = weight * bert + (1.0 - weight) * linear
        accuracy = float(np.mean(np.argmax(mixed, axis=1) == target))
        log_loss = float(-np.mean(np.log(np.clip(mixed[np.arange(len(target)), target], 1e-12, 1.0))))
        curve.append({"bert_weight": weight, "accuracy": accuracy, "log_loss": log_loss})
        key = (accuracy, -log_loss, -abs(weight - 0.5))
        if best_key is None or key > best_key:
            best_key, best_weight = key, weight
    return best_weight, curve


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


def resolve_base_model_dir(base_model_dir: Path) -> Path:
    """A model-version folder warm-starts from its bert/ part; any other folder is taken as an HF checkpoint."""
    if (base_model_dir / MODEL_FILE).is_file() and (base_model_dir / BERT_DIR).is_dir():
        return base_model_dir / BERT_DIR
    return base_model_dir


class LoadedModelVersion:
    """Serves a version folder: `predict_proba(texts)` -> per-text probabilities in `labels` order.

    Components load on construction (torch/transformers only when the transformer has non-zero weight;
    `load_unused=True` also loads a zero-weight component, for per-component evaluation).
    Inference is batched, length-sorted and dynamically padded under `torch.inference_mode`; a lock makes
    one instance safe to share between threads.
    """

    def __init__(self, model_dir: Path | str, device: str = "cpu", batch_size: int = 64,
                 load_unused: bool = False) -> None:
        self.model_dir = Path(model_dir)
        manifest = json.loads((self.model_dir / MODEL_FILE).read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("kind") not in KINDS:
            raise ValueError(f"{self.model_dir}: unsupported model.json (format/kind)")
        self.kind: str = manifest["kind"]
        self.labels: list[str] = [str(label) for label in manifest["labels"]]
        self.bert_weight = float(manifest["bert_weight"])
        self.max_length = int(manifest["max_length"])
        self._batch_size = batch_size
        self._device = resolve_device(device)
        self._lock = threading.Lock()
        has_linear, has_bert = (self.model_dir / LINEAR_DIR).is_dir(), (self.model_dir / BERT_DIR).is_dir()
        wants_linear = self.bert_weight < 1.0 or (load_unused and has_linear)
        wants_bert = self.bert_weight > 0.0 or (load_unused and has_bert)
        self._linear = self._load_linear() if wants_linear else None
        self._bert, self._tokenizer = self._load_bert() if wants_bert else (None, None)

    def predict_proba(self, texts: Sequence[str]) -> list[list[float]]:
        """Probabilities for each text (rows sum to 1), in `self.labels` order."""
        return self.predict_proba_array(texts).tolist()

    def predict_proba_array(self, texts: Sequence[str]) -> Any:
        """Like `predict_proba` but as a numpy array (what evaluation code wants)."""
        return self.predict_components(texts)["hybrid"]

    def predict_components(self, texts: Sequence[str]) -> dict[str, Any]:
        """Numpy probabilities of each loaded component ("bert", "linear") and of the blend ("hybrid")."""
        import numpy as np

        if not texts:
            return {"hybrid": np.zeros((0, len(self.labels)))}
        parts: dict[str, Any] = {}
        with self._lock:
            if self._linear is not None:
                parts["linear"] = self._linear.predict_proba(list(texts))
            if self._bert is not None:
                from adapters.outbound.ml.training.fine_tune import predict_probabilities

                parts["bert"] = predict_probabilities(self._bert, self._tokenizer, list(texts), self.max_length,
                                                      self._batch_size, self._device)
        parts["hybrid"] = blend(parts.get("bert"), parts.get("linear"), self.bert_weight)
        return parts

    def _load_linear(self) -> TfidfLinearModel:
        linear = TfidfLinearModel.load(self.model_dir / LINEAR_DIR)
        if linear.labels != self.labels:
            raise ValueError(f"{self.model_dir}: linear labels {linear.labels} differ from model.json")
        return linear

    def _load_bert(self) -> tuple[Any, Any]:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer  # deferred: slow import

        directory = self.model_dir / BERT_DIR
        if not any(directory.glob("*.safetensors")):
            raise FileNotFoundError(f"no safetensors weights in {directory}; pickled checkpoints are refused")
        tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(
            str(directory), local_files_only=True, use_safetensors=True
        )
        model.to(self._device)
        model.eval()
        names = [str(model.config.id2label[index]) for index in range(model.config.num_labels)]
        if names != self.labels:
            raise ValueError(f"{directory}: id2label {names} differs from model.json labels")
        return model, tokenizer

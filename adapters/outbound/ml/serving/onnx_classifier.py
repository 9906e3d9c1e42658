"""Runs a version's fine-tuned classifier on ONNX Runtime (fp32 or int8), or on torch when no checked graph exists.

Why: the transformer is most of a request's CPU time; ONNX Runtime's fused kernels and int8 VNNI matmuls do the
same work for less. Training writes bert/model.onnx, bert/model.int8.onnx and bert/onnx.json beside the
safetensors (see the training module onnx_export); this module never trusts those files blindly: a graph is served
only if it loads, was exported from the very safetensors in the folder, and reproduces the torch reference
probabilities stored in onnx.json within that file's tolerance. Otherwise `load_transformer_runner` logs why and
serves torch - it always returns a runner.

Every runner has the torch inference's call shape: `predict_probabilities(texts) -> numpy float64 (n, labels)`,
with the same tokenisation (truncation at max_length), the same length bucketing and dynamic padding, and
`predict(texts)`, which also returns the encoder's mean-pooled text vectors from the same pass (None from a graph
exported before graphs had an `embedding` output).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from adapters.outbound.ml.serving.batching import SERVING_MAX_PADDING_RATIO, length_buckets
from adapters.outbound.ml.serving.transformer_inference import (
    predict_probabilities,
    predict_with_embeddings,
    tokenize,
)

logger = logging.getLogger(__name__)

FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
MANIFEST_FILE = "onnx.json"
MANIFEST_FORMAT = 1
RUNTIME_FILES = {"onnx-int8": INT8_FILE, "onnx": FP32_FILE}
RUNTIMES = ("onnx-int8", "onnx", "torch")
LOGITS = "logits"
EMBEDDING = "embedding"
"""The graph outputs: the classifier's logits and the encoder's unit-length mean-pooled states."""
TIE_MARGIN = 0.02


class TransformerRunner(Protocol):
    """Softmax probabilities of a sequence classifier, rows in input order, columns in `labels` order."""

    runtime: str
    labels: list[str]

    def predict_probabilities(self, texts: Sequence[str]) -> Any: ...

    def predict(self, texts: Sequence[str]) -> tuple[Any, Any | None]:
        """The probabilities and the unit-length text vectors (numpy, one row per text) of one pass; None for
        the vectors when the runner cannot give them."""
        ...


@dataclass(frozen=True, slots=True)
class ReferenceCheck:
    ok: bool
    max_abs_diff: float
    argmax_agreement: float
    reason: str
    min_embedding_cosine: float | None = None
    """The lowest cosine between the runner's text vectors and torch's, when they were compared."""


class OnnxClassifierRunner:
    """An ONNX Runtime session over a classifier graph; safe to call from one thread at a time per batcher."""

    def __init__(
        self, session: Any, tokenizer: Any, labels: list[str], max_length: int, batch_size: int, runtime: str
    ) -> None:
        self.runtime = runtime
        self.labels = labels
        self._session = session
        self._tokenizer = tokenizer
        self._max_length = max_length
        self._batch_size = batch_size
        self._inputs = [node.name for node in session.get_inputs()]
        self._outputs = [node.name for node in session.get_outputs() if node.name in (LOGITS, EMBEDDING)]
        self._pad_id = int(tokenizer.pad_token_id or 0)

    @classmethod
    def from_file(
        cls,
        path: Path | str,
        tokenizer: Any,
        max_length: int,
        batch_size: int,
        threads: int | None,
        runtime: str,
        labels: list[str] | None = None,
        spinning: bool = True,
    ) -> OnnxClassifierRunner:
        import onnxruntime as ort  # deferred: loads native libraries

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # One pool per session, sized like torch's: the batcher thread is the only caller.
        options.inter_op_num_threads = 1
        if threads is not None:
            options.intra_op_num_threads = threads
        if not spinning:
            # Idle pool threads sleep instead of busy-waiting: less CPU taken from the web server and the other
            # models on a small shared box, at some latency cost per call.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        n_labels = (
            int(session.get_outputs()[0].shape[-1])
            if isinstance(session.get_outputs()[0].shape[-1], int)
            else len(labels or [])
        )
        return cls(session, tokenizer, labels or [str(i) for i in range(n_labels)], max_length, batch_size, runtime)

    def predict_probabilities(self, texts: Sequence[str]) -> Any:
        probabilities, _ = self._run(texts, [LOGITS])
        return probabilities

    def predict(self, texts: Sequence[str]) -> tuple[Any, Any | None]:
        return self._run(texts, self._outputs)

    def _run(self, texts: Sequence[str], outputs: list[str]) -> tuple[Any, Any | None]:
        import numpy as np

        embedding = EMBEDDING in outputs
        if not texts:
            empty = np.zeros((0, 0), dtype=np.float32) if embedding else None
            return np.zeros((0, len(self.labels)), dtype=np.float64), empty
        ids = tokenize(self._tokenizer, texts, self._max_length)
        result: Any = None
        vectors: Any = None
        for chunk in length_buckets([len(row) for row in ids], self._batch_size, SERVING_MAX_PADDING_RATIO):
            produced = self._session.run(outputs, self._feed([ids[i] for i in chunk]))
            logits = np.asarray(produced[0], dtype=np.float64)
            if result is None:
                result = np.zeros((len(ids), logits.shape[1]), dtype=np.float64)
            result[chunk] = _softmax(logits)
            if embedding:
                if vectors is None:
                    vectors = np.zeros((len(ids), produced[1].shape[1]), dtype=np.float32)
                vectors[chunk] = produced[1]
        return result, vectors

    def _feed(self, batch_ids: Sequence[Sequence[int]]) -> dict[str, Any]:
        """Right-padded int64 arrays for the inputs the graph declares (token types all zero: one segment)."""
        import numpy as np

        width = max(len(row) for row in batch_ids)
        input_ids = np.full((len(batch_ids), width), self._pad_id, dtype=np.int64)
        attention = np.zeros((len(batch_ids), width), dtype=np.int64)
        for row, ids in enumerate(batch_ids):
            input_ids[row, : len(ids)] = ids
            attention[row, : len(ids)] = 1
        arrays = {"input_ids": input_ids, "attention_mask": attention, "token_type_ids": np.zeros_like(input_ids)}
        return {name: arrays[name] for name in self._inputs}


class TorchClassifierRunner:
    """The torch model behind the same call shape (what serving did before ONNX, and the fallback)."""

    runtime = "torch"

    def __init__(
        self, model: Any, tokenizer: Any, labels: list[str], max_length: int, batch_size: int, device: str
    ) -> None:
        self.labels = labels
        self.model = model
        self.tokenizer = tokenizer
        self._max_length = max_length
        self._batch_size = batch_size
        self._device = device

    def predict_probabilities(self, texts: Sequence[str]) -> Any:
        return predict_probabilities(
            self.model, self.tokenizer, list(texts), self._max_length, self._batch_size, self._device
        )

    def predict(self, texts: Sequence[str]) -> tuple[Any, Any | None]:
        return predict_with_embeddings(
            self.model, self.tokenizer, list(texts), self._max_length, self._batch_size, self._device
        )


def load_transformer_runner(
    bert_dir: Path | str,
    runtime: str,
    max_length: int = 256,
    batch_size: int = 64,
    threads: int | None = None,
    device: str = "cpu",
    spinning: bool = True,
) -> TransformerRunner:
    """The runner for `runtime` ("onnx-int8", "onnx" or "torch"), falling back int8 -> fp32 ONNX -> torch, logged.

    `threads` is ONNX Runtime's intra-op thread count; pass the count torch runs with
    (`configure_torch_threads(settings.torch_threads)`) so both runtimes share the cores alike. Blocking: call
    it from a thread. `spinning=False` stops ONNX Runtime's idle threads busy-waiting. Raises only what loading
    torch itself would raise (no safetensors, id2label mismatch...).
    """
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown inference runtime {runtime!r}; expected one of {', '.join(RUNTIMES)}")
    directory = Path(bert_dir)
    for candidate in RUNTIMES[RUNTIMES.index(runtime) : -1]:
        try:
            runner = _load_checked_onnx(directory, candidate, max_length, batch_size, threads, spinning)
        except Exception as error:  # noqa: BLE001 - any ONNX failure means the next runtime serves instead
            logger.warning("%s: not serving %s: %s", directory, candidate, error)
        else:
            logger.info("%s: serving %s (intra-op threads: %s)", directory, candidate, threads or "onnxruntime default")
            return runner
    if runtime != "torch":
        logger.warning("%s: serving torch instead of %s", directory, runtime)
    return _load_torch(directory, max_length, batch_size, device)


def safetensors_digest(directory: Path) -> str:
    """sha256 over the folder's *.safetensors files (sorted by name): which weights a graph was exported from."""
    digest = hashlib.sha256()
    files = sorted(directory.glob("*.safetensors"))
    if not files:
        raise FileNotFoundError(f"no safetensors weights in {directory}")
    for path in files:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def check_against_reference(
    runner: TransformerRunner,
    reference: dict[str, Any],
    tolerance: float,
    min_agreement: float,
    min_embedding_cosine: float | None = None,
) -> ReferenceCheck:
    """Runs the reference texts; ok when every probability is within `tolerance` of the stored torch ones, the
    argmax agrees on at least `min_agreement` of the decisive texts and, when the reference holds torch's text
    vectors and `min_embedding_cosine` is given, every vector the runner gives has at least that cosine with
    torch's.

    Decisive: torch's top two probabilities differ by at least TIE_MARGIN. On a near-tie any tiny shift flips
    the label, which says nothing about the graph (an untrained head ties on almost every text).

    Each text runs alone: int8 dynamic quantization scales activations per batch, so a text's probabilities move
    with its batch-mates and their padding. One text per call makes the check the same at export and at serving,
    whatever batch size either uses."""
    import numpy as np

    expected = np.asarray(reference["probabilities"], dtype=np.float64)
    results = [runner.predict([text]) for text in reference["texts"]]
    got = np.asarray([row for probabilities, _ in results for row in probabilities], dtype=np.float64)
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return ReferenceCheck(False, float("inf"), 0.0, f"output shape {got.shape}, expected {expected.shape}")
    max_diff = float(np.max(np.abs(got - expected)))
    top_two = np.sort(expected, axis=1)[:, -2:] if expected.shape[1] > 1 else np.hstack([expected * 0, expected])
    decisive = (top_two[:, 1] - top_two[:, 0]) >= TIE_MARGIN
    same = got.argmax(axis=1) == expected.argmax(axis=1)
    agreement = float(np.mean(same[decisive])) if decisive.any() else 1.0
    if max_diff > tolerance:
        return ReferenceCheck(
            False, max_diff, agreement, f"probabilities differ from torch by {max_diff:.3g} > tolerance {tolerance:g}"
        )
    if agreement < min_agreement:
        return ReferenceCheck(
            False,
            max_diff,
            agreement,
            f"same label as torch on {agreement:.0%} of decisive smoke texts < {min_agreement:.0%}",
        )
    if min_embedding_cosine is not None and "embeddings" in reference:
        vectors = [row for _, rows in results if rows is not None for row in rows]
        if len(vectors) != len(reference["texts"]):
            return ReferenceCheck(False, max_diff, agreement, "the graph has no embedding output")
        cosines = np.sum(np.asarray(vectors, np.float64) * np.asarray(reference["embeddings"], np.float64), axis=1)
        lowest = float(cosines.min())
        if lowest < min_embedding_cosine:
            reason = f"text vectors as close to torch's as cosine {lowest:.4f} < {min_embedding_cosine:g}"
            return ReferenceCheck(False, max_diff, agreement, reason, lowest)
        return ReferenceCheck(True, max_diff, agreement, "", lowest)
    return ReferenceCheck(True, max_diff, agreement, "")


def _load_checked_onnx(
    directory: Path, runtime: str, max_length: int, batch_size: int, threads: int | None, spinning: bool
) -> OnnxClassifierRunner:
    path = directory / RUNTIME_FILES[runtime]
    manifest_path = directory / MANIFEST_FILE
    if not path.is_file() or not manifest_path.is_file():
        raise FileNotFoundError(f"no {path.name} with {MANIFEST_FILE} (the version was trained without ONNX export)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != MANIFEST_FORMAT or runtime not in manifest.get("variants", {}):
        raise ValueError(f"{MANIFEST_FILE} does not vouch for {path.name}")
    if manifest.get("source_sha256") != safetensors_digest(directory):
        raise ValueError(f"{path.name} was exported from other weights than the folder's safetensors")
    from transformers import AutoTokenizer  # deferred: slow import

    tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
    labels = _config_labels(directory)
    variant = manifest["variants"][runtime]
    smoke = OnnxClassifierRunner.from_file(
        path, tokenizer, int(manifest["max_length"]), batch_size, threads, runtime, labels, spinning
    )
    min_cosine = variant.get("min_embedding_cosine")
    check = check_against_reference(
        smoke,
        manifest["reference"],
        float(variant["tolerance"]),
        float(variant["min_argmax_agreement"]),
        None if min_cosine is None else float(min_cosine),
    )
    if not check.ok:
        raise ValueError(f"{path.name} fails its smoke check: {check.reason}")
    if len(smoke.labels) != len(labels):
        raise ValueError(f"{path.name} has {len(smoke.labels)} outputs for {len(labels)} labels")
    # Same session, the caller's max_length (the reference was scored with the export's).
    return OnnxClassifierRunner(smoke._session, tokenizer, labels, max_length, batch_size, runtime)


def _load_torch(directory: Path, max_length: int, batch_size: int, device: str) -> TorchClassifierRunner:
    from transformers import (  # deferred: slow import
        AutoModelForSequenceClassification,
        AutoTokenizer,
    )

    if not any(directory.glob("*.safetensors")):
        raise FileNotFoundError(f"no safetensors weights in {directory}; pickled checkpoints are refused")
    tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(directory), local_files_only=True, use_safetensors=True
    )
    model.to(device)
    model.eval()
    labels = [str(model.config.id2label[index]) for index in range(model.config.num_labels)]
    return TorchClassifierRunner(model, tokenizer, labels, max_length, batch_size, device)


def _config_labels(directory: Path) -> list[str]:
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    id2label = config.get("id2label") or {}
    return [str(id2label[key]) for key in sorted(id2label, key=int)]


def _softmax(logits: Any) -> Any:
    import numpy as np

    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)

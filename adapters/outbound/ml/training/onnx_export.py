"""Exports a version's fine-tuned sequence classifier to ONNX (fp32) and an int8 dynamically quantized copy.

Why: ONNX Runtime runs the same graph with fused attention kernels, and int8 weights (dynamic quantization: int8
weights, activations quantized per call) use the CPU's VNNI dot-product instructions. The safetensors stay the
source of truth; the .onnx files are derived caches written beside them, each kept only if it agrees with torch on
a few smoke texts:

    bert/model.onnx        fp32 graph; max |p_onnx - p_torch| <= FP32_TOLERANCE on every smoke text
    bert/model.int8.onnx   int8 graph (per-channel weight scales); max |p_int8 - p_torch| <= INT8_TOLERANCE
                           (loose: an uncertain text near 0.5 moves most under quantization) and the same argmax
                           on at least INT8_MIN_ARGMAX_AGREEMENT of the smoke texts torch does not see as a near-tie
                           (quantization moves probabilities a little; a label that flips on a clear text means
                           the quantized graph is broken)
    bert/onnx.json         the torch reference probabilities and text vectors on the smoke texts, the tolerances,
                           the hash of the safetensors they were exported from; serving re-checks each file against
                           it without loading torch, and refuses a file exported from other weights

Both graphs have two outputs: `logits`, and `embedding`, the encoder's unit-length mean-pooled states from the same
pass (routing compares tickets and teams with them, so a ticket costs one transformer pass). Each graph's vectors
must keep a cosine of at least FP32_MIN_EMBEDDING_COSINE / INT8_MIN_EMBEDDING_COSINE with torch's on every smoke
text.

A file that fails its check is deleted and the reason is returned, so a version never carries a bad graph.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.outbound.ml.serving.onnx_classifier import (
    EMBEDDING,
    FP32_FILE,
    INT8_FILE,
    LOGITS,
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    OnnxClassifierRunner,
    check_against_reference,
    safetensors_digest,
)
from adapters.outbound.ml.serving.transformer_inference import mean_pooled, predict_with_embeddings

logger = logging.getLogger(__name__)

FP32_TOLERANCE = 1e-4
INT8_TOLERANCE = 0.15
INT8_MIN_ARGMAX_AGREEMENT = 0.9
FP32_MIN_EMBEDDING_COSINE = 0.9999
INT8_MIN_EMBEDDING_COSINE = 0.95
INT8_MAX_ACCURACY_DROP = 0.003  # the rule: int8 within 0.3 accuracy points of fp32, else serve fp32
OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")

# Varied lengths and topics; the last one is longer than any max_length so truncation is exercised too.
SMOKE_TEXTS = (
    "printer not working",
    "please reset my password, I cannot log in to the vpn",
    "need access to the finance shared folder for the new starter",
    "my laptop screen is broken and the keyboard does not work since the update this morning",
    "order a new monitor and docking station",
    "mailbox is full, please increase the quota",
    "payroll question about my last salary slip and the overtime hours that are missing",
    "hi team, the shared drive is nearly full and users cannot save files, can we archive old projects? thanks",
    "purchase request for ten licences of the design software for the marketing team",
    "internal project kickoff meeting room booking and agenda",
    " ".join(["the application crashes when I open a large report and then the whole machine freezes"] * 40),
)


@dataclass
class OnnxExportReport:
    """What the export kept (runtime name -> file) and refused (runtime name -> why), with the measured gaps."""

    written: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    max_abs_diff: dict[str, float] = field(default_factory=dict)
    argmax_agreement: dict[str, float] = field(default_factory=dict)
    min_embedding_cosine: dict[str, float] = field(default_factory=dict)


def export_onnx(
    bert_dir: Path | str,
    max_length: int,
    quantize: bool = True,
    smoke_texts: Sequence[str] = SMOKE_TEXTS,
    per_channel: bool = True,
) -> OnnxExportReport:
    """Writes bert/model.onnx (and with `quantize` bert/model.int8.onnx) plus bert/onnx.json, each file checked.

    Blocking and CPU-heavy (seconds for MiniLM); run it in the training job after the version folder is written.
    Never raises for a graph that merely disagrees with torch: that file is deleted and the reason reported.
    `per_channel` (default) quantizes each weight column with its own scale: on a fine-tuned MiniLM it keeps the
    probabilities much closer to torch than one scale per matrix, at no noticeable cost.
    """
    import numpy as np
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    directory = Path(bert_dir)
    report = OnnxExportReport()
    tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
    # Eager attention traces to plain MatMul/Softmax with the padding mask as a real input; the SDPA path may
    # specialise on the example mask.
    model = AutoModelForSequenceClassification.from_pretrained(
        str(directory), local_files_only=True, use_safetensors=True, attn_implementation="eager"
    )
    model.eval()
    reference, vectors = predict_with_embeddings(model, tokenizer, list(smoke_texts), max_length, 8, "cpu")
    inputs = _model_inputs(model)
    for stale in (FP32_FILE, INT8_FILE, MANIFEST_FILE):
        (directory / stale).unlink(missing_ok=True)
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "source_sha256": safetensors_digest(directory),
        "max_length": max_length,
        "inputs": list(inputs),
        "outputs": [LOGITS, EMBEDDING],
        "reference": {
            "texts": list(smoke_texts),
            "probabilities": np.asarray(reference).tolist(),
            "embeddings": np.asarray(vectors).tolist(),
        },
        "variants": {},
    }
    fp32_path = directory / FP32_FILE
    _export_graph(model, tokenizer, inputs, fp32_path)
    _keep_if_agrees(
        report,
        manifest,
        "onnx",
        fp32_path,
        (FP32_TOLERANCE, 1.0, FP32_MIN_EMBEDDING_COSINE),
        tokenizer,
        max_length,
        False,
    )
    if quantize and "onnx" in report.written:
        int8_path = directory / INT8_FILE
        try:
            _quantize(fp32_path, int8_path, per_channel)
        except Exception as error:  # noqa: BLE001 - a failed quantization leaves fp32 serving intact
            int8_path.unlink(missing_ok=True)
            report.refused["onnx-int8"] = f"quantization failed: {error!r}"
        else:
            _keep_if_agrees(
                report,
                manifest,
                "onnx-int8",
                int8_path,
                (INT8_TOLERANCE, INT8_MIN_ARGMAX_AGREEMENT, INT8_MIN_EMBEDDING_COSINE),
                tokenizer,
                max_length,
                per_channel,
            )
    elif quantize:
        report.refused["onnx-int8"] = "no fp32 graph to quantize"
    if report.written:
        (directory / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    for name, reason in report.refused.items():
        logger.warning("%s: %s not written: %s", directory, name, reason)
    return report


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _model_inputs(model: Any) -> tuple[str, ...]:
    accepted = inspect.signature(model.forward).parameters
    return tuple(name for name in INPUT_NAMES if name in accepted)


def _export_graph(model: Any, tokenizer: Any, inputs: Sequence[str], path: Path) -> None:
    """TorchScript-based export with batch and sequence axes dynamic; the example batch is padded on purpose so the
    attention mask is traced as data, never folded into a constant. Outputs: `logits` and `embedding`."""
    import torch

    encoded = tokenizer(
        ["printer not working", "please reset my password, I cannot log in"], padding=True, return_tensors="pt"
    )
    example = tuple(encoded.get(name, torch.zeros_like(encoded["input_ids"])) for name in inputs)
    dynamic = {name: {0: "batch", 1: "sequence"} for name in inputs} | {LOGITS: {0: "batch"}, EMBEDDING: {0: "batch"}}
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "raw.onnx"
        with torch.inference_mode():
            torch.onnx.export(
                _with_embedding_output(model, inputs),
                example,
                str(raw),
                input_names=list(inputs),
                output_names=[LOGITS, EMBEDDING],
                dynamic_axes=dynamic,
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        _fuse_or_copy(raw, path, model.config)


def _with_embedding_output(model: Any, inputs: Sequence[str]) -> Any:
    """The classifier with a second output: its encoder's mean-pooled last hidden states (torch is imported here,
    not at module import)."""
    import torch

    class LogitsAndEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> tuple[Any, Any]:
            named = dict(zip(inputs, tensors, strict=True))
            output = self.model(**named, output_hidden_states=True)
            return output.logits, mean_pooled(output.hidden_states[-1], named["attention_mask"])

    return LogitsAndEmbedding()


def _fuse_or_copy(raw: Path, path: Path, config: Any) -> None:
    """ONNX Runtime's BERT fusions (attention, layer norm, GELU) when they apply; the plain graph otherwise."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        optimized = optimize_model(
            str(raw),
            model_type="bert",
            num_heads=int(config.num_attention_heads),
            hidden_size=int(config.hidden_size),
            opt_level=1,
        )
        optimized.save_model_to_file(str(path))
    except Exception as error:  # noqa: BLE001 - fusion is an optimisation; the unfused graph is still correct
        logger.warning("onnx fusion skipped: %r", error)
        path.write_bytes(raw.read_bytes())


def _quantize(source: Path, target: Path, per_channel: bool) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Signed int8 weights with (dynamic) unsigned activations is the combination VNNI multiplies natively.
    # The fused graph holds com.microsoft ops that ONNX shape inference cannot type; their outputs are float.
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=per_channel,
        reduce_range=False,
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def _keep_if_agrees(
    report: OnnxExportReport,
    manifest: dict[str, Any],
    name: str,
    path: Path,
    limits: tuple[float, float, float],
    tokenizer: Any,
    max_length: int,
    per_channel: bool,
) -> None:
    """`limits`: the probability tolerance, the minimum argmax agreement and the minimum vector cosine."""
    tolerance, min_agreement, min_cosine = limits
    variant = {
        "file": path.name,
        "per_channel": per_channel,
        "tolerance": tolerance,
        "min_argmax_agreement": min_agreement,
        "min_embedding_cosine": min_cosine,
        "sha256": file_sha256(path),
    }
    try:
        runner = OnnxClassifierRunner.from_file(path, tokenizer, max_length, batch_size=8, threads=None, runtime=name)
        check = check_against_reference(runner, manifest["reference"], tolerance, min_agreement, min_cosine)
    except Exception as error:  # noqa: BLE001 - whatever is wrong with the graph, it must not be kept
        path.unlink(missing_ok=True)
        report.refused[name] = f"graph does not run: {error!r}"
        return
    report.max_abs_diff[name] = check.max_abs_diff
    report.argmax_agreement[name] = check.argmax_agreement
    if check.min_embedding_cosine is not None:
        report.min_embedding_cosine[name] = check.min_embedding_cosine
    if not check.ok:
        path.unlink(missing_ok=True)
        report.refused[name] = check.reason
        return
    report.written[name] = path.name
    manifest["variants"][name] = variant | {
        "max_abs_diff": check.max_abs_diff,
        "argmax_agreement": check.argmax_agreement,
        "embedding_cosine": check.min_embedding_cosine,
    }


def apply_int8_accuracy_rule(
    bert_dir: Path | str,
    texts: Sequence[str],
    truth: Sequence[int],
    max_length: int,
    fp32_probabilities: Any,
    linear_probabilities: Any | None = None,
    bert_weight: float = 1.0,
    max_drop: float = INT8_MAX_ACCURACY_DROP,
    record_in: Path | None = None,
) -> dict[str, Any]:
    """The issue's rule on labelled texts (the validation split): int8 stays only if the served blend's accuracy
    with it is at most `max_drop` below the blend with fp32; otherwise model.int8.onnx is deleted and dropped from
    onnx.json, so serving "onnx-int8" falls back to fp32 ONNX. Returns both accuracies and the decision (for
    training.json). Does nothing when either graph is missing.

    `fp32_probabilities` are the transformer's fp32 probabilities on `texts`, as the fine-tuning measured them
    with torch: the fp32 graph matched torch within the export's tolerance, so only the int8 graph runs here
    (running the fp32 graph over the split again would cost a pass and tell nothing new).

    With `record_in` (the version's folder), the int8 probabilities on `texts` are recorded there when int8 is
    kept (`recorded_validation`), so the version's calibration need not run the graph over `texts` again."""
    import numpy as np

    from adapters.outbound.ml.serving.model_version import blend
    from adapters.outbound.ml.serving.onnx_classifier import load_transformer_runner
    from adapters.outbound.ml.training.recorded_validation import discard_validation, record_validation

    directory = Path(bert_dir)
    if record_in is not None:
        discard_validation(record_in)  # only a pass of the int8 graph this rule keeps is recorded
    if not (directory / FP32_FILE).is_file() or not (directory / INT8_FILE).is_file():
        return {"int8_kept": (directory / INT8_FILE).is_file(), "reason": "no pair of graphs to compare"}
    expected = np.asarray(truth)
    runner = load_transformer_runner(directory, "onnx-int8", max_length, batch_size=32)
    if runner.runtime != "onnx-int8":
        return {"int8_kept": False, "reason": "onnx-int8 did not load"}
    accuracy: dict[str, float] = {}
    int8_probabilities = runner.predict_probabilities(list(texts))
    for runtime, probabilities in (("onnx", np.asarray(fp32_probabilities)), ("onnx-int8", int8_probabilities)):
        served = blend(probabilities, linear_probabilities, bert_weight)
        accuracy[runtime] = float(np.mean(served.argmax(axis=1) == expected))
    drop = accuracy["onnx"] - accuracy["onnx-int8"]
    kept = drop <= max_drop
    if not kept:
        drop_variant(directory, "onnx-int8")
        logger.warning(
            "%s: int8 dropped: accuracy %.4f vs fp32 %.4f", directory, accuracy["onnx-int8"], accuracy["onnx"]
        )
    elif record_in is not None:
        record_validation(record_in, "onnx-int8", texts, runner.labels, max_length, int8_probabilities)
    return {
        "int8_kept": kept,
        "fp32_accuracy": accuracy["onnx"],
        "int8_accuracy": accuracy["onnx-int8"],
        "max_drop": max_drop,
        "n": len(texts),
    }


def drop_variant(bert_dir: Path | str, runtime: str) -> None:
    """Deletes a variant's graph and removes it from onnx.json (the other variant stays vouched for)."""
    directory = Path(bert_dir)
    manifest_path = directory / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    variant = manifest["variants"].pop(runtime, None)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    if variant is not None:
        (directory / str(variant["file"])).unlink(missing_ok=True)

"""Fine-tunes a BERT-family checkpoint into a topic classifier with a plain torch loop that fits a 2-core CPU.

Why a hand-written loop rather than `Trainer`: the levers that make CPU training feasible are few and explicit
here - tokenise once, bucket tickets of similar length, pad each batch only to its longest ticket, stop on a
wall-clock budget with a learning-rate schedule that is re-planned to end at that budget. The starting model and its
head come from `classifier_head` (fresh, reused or remapped for warm starts). Output is
`save_pretrained` (safetensors only in transformers 5) plus the tokenizer, with id2label/label2id in config.json.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.outbound.ml.allocator import release_free_memory
from adapters.outbound.ml.serving.batching import length_buckets
from adapters.outbound.ml.serving.devices import computes_bf16_natively, resolve_device
from adapters.outbound.ml.serving.transformer_inference import predict_probabilities
from adapters.outbound.ml.training.classifier_head import freeze_bottom_layers, freeze_embeddings, load_classifier
from adapters.outbound.ml.training.config import FineTuneConfig
from adapters.outbound.ml.training.token_corpus import TokenCorpus, tokenize_compact
from domain.metrics import evaluate

ProgressCallback = Callable[[str, float, float | None], None]

_REPLAN_EVERY = 25  # steps between re-estimates of how many steps the time budget allows
_BUCKET_BATCHES = 50  # batches per length-sorted chunk: enough to pad little, few enough to stay shuffled


@dataclass
class FineTuneOutcome:
    """The trained model in memory plus what the caller needs to blend it (validation probabilities)."""

    model: Any
    tokenizer: Any
    val_probabilities: Any  # numpy array, shape (len(val_texts), len(labels))
    summary: dict[str, Any]


def train_sequence_classifier(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    val_texts: Sequence[str],
    val_labels: Sequence[str],
    labels: list[str],
    output_dir: Path,
    config: FineTuneConfig,
    base_model_dir: Path,
    on_progress: ProgressCallback | None = None,
) -> FineTuneOutcome:
    """Trains, scores on the validation split, saves to `output_dir`; returns the model, the validation
    probabilities and a JSON-able summary of metrics and timings."""
    import numpy as np
    import torch
    from transformers import AutoTokenizer

    progress = on_progress or (lambda phase, percent, loss: None)
    _check_inputs(train_texts, train_labels, val_texts, val_labels, labels)
    started = time.monotonic()
    _seed_everything(config.seed)
    device = resolve_device(config.device)

    progress("loading", 0.0, None)
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_dir), local_files_only=True)
    model, head = load_classifier(base_model_dir, labels)
    model.to(device)
    if config.freeze_embeddings:
        freeze_embeddings(model)
    frozen_layers = freeze_bottom_layers(model, config.frozen_layers)

    progress("tokenizing", 0.0, None)
    label_index = {label: position for position, label in enumerate(labels)}
    train_ids = tokenize_compact(tokenizer, train_texts, config.max_length)
    targets = np.asarray([label_index[label] for label in train_labels], dtype=np.int64)
    release_free_memory()  # the tokenizer's per-chunk objects, before the model's activations need the room
    tokenized_at = time.monotonic()

    def validation_probabilities() -> Any:
        return predict_probabilities(model, tokenizer, val_texts, config.max_length, config.eval_batch_size, device)

    def validation_accuracy() -> float:
        chosen = np.argmax(validation_probabilities(), axis=1)
        return float(np.mean(chosen == np.asarray([label_index[label] for label in val_labels])))

    scorer = validation_accuracy if config.early_stop_min_delta is not None and len(val_texts) else None
    loop = _train_loop(model, tokenizer, train_ids, targets, config, device, progress, scorer)
    del train_ids, targets
    release_free_memory()  # the optimiser's state and the last activations are gone with the loop
    trained_at = time.monotonic()

    progress("evaluating", 0.0, None)
    val_probabilities = validation_probabilities()
    predicted = [labels[int(i)] for i in np.argmax(val_probabilities, axis=1)] if len(val_texts) else []
    report = evaluate(list(val_labels), predicted, labels).to_json() if len(val_texts) else None
    evaluated_at = time.monotonic()

    progress("saving", 0.0, None)
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(output_dir))
    tokenizer.save_pretrained(str(output_dir))
    summary: dict[str, Any] = {
        "base_model": str(base_model_dir),
        "head": head,
        "device": device,
        "torch_threads": torch.get_num_threads(),
        "frozen_layers": frozen_layers,
        "n_train": len(train_texts),
        "n_val": len(val_texts),
        **loop,
        "val": report,
        "durations_s": {
            "tokenize": round(tokenized_at - started, 2),
            "train": round(trained_at - tokenized_at, 2),
            "evaluate": round(evaluated_at - trained_at, 2),
            "total": round(time.monotonic() - started, 2),
        },
        "config": config.to_json(),
    }
    (output_dir / "fine_tune.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    progress("done", 100.0, loop["final_loss"])
    return FineTuneOutcome(model, tokenizer, val_probabilities, summary)


def make_batches(lengths: Sequence[int], batch_size: int, bucketing: bool, rng: random.Random) -> list[list[int]]:
    """One epoch of index batches: shuffled, and with bucketing sorted by length inside large random chunks."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if bucketing:
        chunk = batch_size * _BUCKET_BATCHES
        batches: list[list[int]] = []
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            batches += [[part[k] for k in group] for group in length_buckets([lengths[i] for i in part], batch_size)]
    else:
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def micro_batches(batch: Sequence[int], size: int | None) -> list[list[int]]:
    """`batch` cut into consecutive runs of at most `size` (None: the batch whole)."""
    if size is None or size >= len(batch):
        return [list(batch)]
    return [list(batch[start : start + size]) for start in range(0, len(batch), size)]


def accumulate_gradients(
    model: Any,
    corpus: TokenCorpus,
    targets: Any,
    batch: Sequence[int],
    micro_batch_size: int | None,
    pad_id: int,
    device: str,
    use_bf16: bool,
) -> tuple[float, int]:
    """Adds the gradient of the batch's mean loss to the model's, one micro-batch at a time, each micro-batch's loss
    weighted by its share of the batch; returns the batch's mean loss and its real (unpadded) token count."""
    import torch

    autocast_device = "cuda" if device.startswith("cuda") else "cpu"
    loss_value, tokens = 0.0, 0
    for part in micro_batches(batch, micro_batch_size):
        inputs = {key: tensor.to(device) for key, tensor in corpus.padded(part, pad_id).items()}
        inputs["labels"] = torch.from_numpy(targets[part]).to(device)
        with torch.autocast(device_type=autocast_device, dtype=torch.bfloat16, enabled=use_bf16):
            loss = model(**inputs).loss * (len(part) / len(batch))
        loss.backward()
        tokens += int(inputs["attention_mask"].sum())
        loss_value += float(loss.detach())
        del inputs, loss  # this micro-batch's activations go before the next one's are made
    return loss_value, tokens


def _train_loop(
    model: Any,
    tokenizer: Any,
    train_ids: TokenCorpus,
    targets: Any,
    config: FineTuneConfig,
    device: str,
    progress: ProgressCallback,
    validation_accuracy: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """AdamW with linear warm-up/decay; stops at the step count or the time budget, whichever comes first, or
    (given `validation_accuracy`) after a full epoch that improved it by less than `early_stop_min_delta`.

    A step's batch of `batch_size` tickets runs forward and backward in micro-batches of `micro_batch_size`, each
    loss weighted by its share of the batch, so the gradients add up to the whole batch's mean-loss gradient (the
    same step, up to float rounding and dropout's draws) while only one micro-batch's activations are alive."""
    import torch

    rng = random.Random(config.seed)
    lengths = train_ids.lengths()
    batches_per_epoch = max(1, math.ceil(len(train_ids) / config.batch_size))
    total_steps = max(1, math.ceil(config.epochs * batches_per_epoch))
    plan = {"steps": total_steps}

    def lr_factor(step: int) -> float:
        warmup = max(1, int(config.warmup_ratio * plan["steps"]))
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (plan["steps"] - step) / max(1, plan["steps"] - warmup))

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in trainable if not any(k in n for k in no_decay)], "weight_decay": config.weight_decay},
        {"params": [p for n, p in trainable if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    pad_id = int(tokenizer.pad_token_id or 0)
    use_bf16 = config.precision == "bf16" or (config.precision == "auto" and computes_bf16_natively(device))

    model.train()
    started = time.monotonic()
    step, tokens, ema_loss, stopped_by_budget, stopped_early = 0, 0, None, False, False
    epoch_accuracies: list[float] = []
    report_every = max(1, total_steps // 100)
    while step < plan["steps"] and not stopped_by_budget and not stopped_early:
        for batch_index in make_batches(lengths, config.batch_size, config.length_bucketing, rng):
            value, batch_tokens = accumulate_gradients(
                model, train_ids, targets, batch_index, config.micro_batch_size, pad_id, device, use_bf16
            )
            tokens += batch_tokens
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            ema_loss = value if ema_loss is None else 0.95 * ema_loss + 0.05 * value
            elapsed = time.monotonic() - started
            if config.time_budget_s is not None and step % _REPLAN_EVERY == 0:
                affordable = int(config.time_budget_s / (elapsed / step))
                plan["steps"] = min(total_steps, max(step + 1, affordable))
            if step % report_every == 0:
                progress("training", min(100.0, 100.0 * step / plan["steps"]), ema_loss)
            if config.time_budget_s is not None and elapsed >= config.time_budget_s and step < plan["steps"]:
                stopped_by_budget = True
                break
            if step >= plan["steps"]:
                break
        else:  # a full epoch ended with steps still planned
            if validation_accuracy is not None and step < plan["steps"]:
                stopped_early = _epoch_gain_too_small(model, validation_accuracy, epoch_accuracies, config)
    model.eval()
    elapsed = time.monotonic() - started
    return {
        "steps": step,
        "planned_steps": total_steps,
        "epochs_done": round(step / batches_per_epoch, 3),
        "stopped_by_budget": stopped_by_budget or (step < total_steps and not stopped_early),
        "stopped_early": stopped_early,
        "epoch_val_accuracy": [round(a, 4) for a in epoch_accuracies],
        "precision": "bf16" if use_bf16 else "fp32",
        "steps_per_s": round(step / elapsed, 3) if elapsed > 0 else None,
        "train_tokens": tokens,
        "final_loss": ema_loss,
    }


def _epoch_gain_too_small(
    model: Any, validation_accuracy: Callable[[], float], history: list[float], config: FineTuneConfig
) -> bool:
    """Scores the validation split after an epoch (appending to `history`); True once the gain over the previous
    epoch is below the configured minimum."""
    model.eval()
    history.append(validation_accuracy())
    model.train()
    min_delta = config.early_stop_min_delta or 0.0
    return len(history) >= 2 and history[-1] - history[-2] < min_delta


def _check_inputs(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    val_texts: Sequence[str],
    val_labels: Sequence[str],
    labels: list[str],
) -> None:
    """Fails fast on mismatched lengths, empty training data or labels the label list does not name."""
    if len(train_texts) != len(train_labels) or len(val_texts) != len(val_labels):
        raise ValueError("texts and labels must have the same length")
    if not train_texts:
        raise ValueError("no training examples")
    if len(set(labels)) != len(labels) or len(labels) < 2:
        raise ValueError("labels must be at least two unique names")
    unknown = (set(train_labels) | set(val_labels)) - set(labels)
    if unknown:
        raise ValueError(f"examples carry labels not in the label list: {sorted(unknown)}")


def _seed_everything(seed: int) -> None:
    """Same seed, same head initialisation, dropout masks and batch order."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

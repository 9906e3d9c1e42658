"""Held-out accuracy of each training lever, measured beside one real job of `accuracy_benchmark.py`.

    python benchmarks/accuracy_benchmark.py --stage-timing --workdir /tmp/job      # the job: the baseline
    python benchmarks/lever_experiment.py --job-workdir /tmp/job --levers epochs2,frozen3,knn,refit_linear

Every figure uses the benchmark's own stratified holdout (10%, seed 1234: tickets no training saw) and the job's
own split of the rest (its exported training CSV, split by `split_dataset` as the job split it). Transformer
levers fine-tune MiniLM again with one setting changed and blend with the job's linear model (the same fit, so
only the lever differs); the blend weight is chosen on validation as the job chooses it. Post-hoc levers work
on the job's trained version:
- `knn`: a third expert voting with the labels of the most similar training tickets (cosine on the fine-tuned
  encoder's mean-pooled embedding); k, temperature and its blend weight are chosen on validation;
- `refit_linear`: the linear model fitted again on train + validation, blended with the job's weight.
Prints one line per lever and appends it to <job-workdir>/levers.jsonl. It asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy_benchmark import SHARED_CSV, stratified_holdout  # noqa: E402
from decision_quality import read_rows  # noqa: E402

# name -> FineTuneConfig changes from the service's defaults
TRANSFORMER_LEVERS: dict[str, dict[str, Any]] = {
    "epochs2": {"epochs": 2.0},
    "epochs1.5": {"epochs": 1.5},
    "frozen3": {"frozen_layers": 3},
    "frozen3_epochs2": {"frozen_layers": 3, "epochs": 2.0},
    "frozen2_len64_epochs2": {"frozen_layers": 2, "max_length": 64, "epochs": 2.0},
    "len64_epochs2": {"max_length": 64, "epochs": 2.0},
    "batch64_lr2e-4": {"batch_size": 64, "learning_rate": 2e-4},
    "early_stop_epochs4": {"epochs": 4.0, "early_stop_min_delta": 0.002},
    "fp32": {"precision": "fp32"},
    "bf16": {"precision": "bf16"},
}
POST_HOC_LEVERS = ("knn", "refit_linear")


def job_version(workdir: Path) -> Path:
    """The newest version folder of the job that has a transformer (the hybrid stage's)."""
    candidates = sorted(p for p in (workdir / "models").iterdir() if (p / "bert").is_dir())
    if not candidates:
        raise SystemExit(f"no hybrid version under {workdir / 'models'}: run accuracy_benchmark.py --workdir first")
    return candidates[-1]


def held_out(csv_path: Path) -> tuple[list[str], list[str]]:
    _, held = stratified_holdout(read_rows(csv_path), 0.1, seed=1234)
    return [r["Document"] for r in held], [r["Topic_group"] for r in held]


def split_as_the_job(rows: list[dict[str, str]]) -> Any:
    """The retraining job's own train/validation/test split of these labelled rows (its settings, its function)."""
    from bootstrap.container import retraining_settings
    from bootstrap.settings import load_settings
    from domain.dataset_split import Example, split_dataset

    settings = retraining_settings(load_settings({}, env_file=None))
    examples = [Example(row["Document"], row["Topic_group"]) for row in rows]
    return split_dataset(examples, settings.validation_share, settings.test_share, settings.split_seed)


def score(name: str, probabilities: Any, truth: list[str], labels: list[str]) -> dict[str, float]:
    from domain.metrics import evaluate

    report = evaluate(truth, [labels[int(i)] for i in probabilities.argmax(axis=1)], labels)
    return {f"{name}_accuracy": round(report.accuracy, 4), f"{name}_macro_f1": round(report.macro_f1, 4)}


def blend_on_validation(bert_val: Any, linear_val: Any, val_truth: list[int]) -> float:
    from adapters.outbound.ml.training.blend_weight import choose_bert_weight

    return choose_bert_weight(bert_val, linear_val, val_truth)[0]


def transformer_lever(name: str, context: dict[str, Any]) -> dict[str, Any]:
    from adapters.outbound.ml.serving.devices import resolve_device
    from adapters.outbound.ml.serving.transformer_inference import predict_probabilities
    from adapters.outbound.ml.training.fine_tune import train_sequence_classifier
    from bootstrap.container import fine_tune_config
    from bootstrap.settings import load_settings

    service = fine_tune_config(load_settings(environ={}, env_file=None))
    config = replace(service, time_budget_s=None, **TRANSFORMER_LEVERS[name])
    train, val, labels = context["train"], context["val"], context["labels"]
    started = time.monotonic()
    outcome = train_sequence_classifier(
        [e.text for e in train],
        [e.label for e in train],
        [e.text for e in val],
        [e.label for e in val],
        labels,
        context["out"] / name,
        config,
        context["base"],
    )
    seconds = time.monotonic() - started
    bert_held = predict_probabilities(
        outcome.model, outcome.tokenizer, context["held_texts"], config.max_length, 64, resolve_device("auto")
    )
    weight = blend_on_validation(outcome.val_probabilities, context["linear_val"], context["val_truth"])
    hybrid = weight * bert_held + (1 - weight) * context["linear_held"]
    summary = outcome.summary
    return {
        "fine_tune_s": round(seconds, 1),
        "steps_per_s": summary["steps_per_s"],
        "epochs_done": summary["epochs_done"],
        "epoch_val_accuracy": summary.get("epoch_val_accuracy"),
        "precision": summary.get("precision"),
        "bert_weight": weight,
        **score("bert", bert_held, context["held_truth"], labels),
        **score("hybrid", hybrid, context["held_truth"], labels),
    }


def mean_pooled_embeddings(bert_dir: Path, texts: list[str], max_length: int) -> Any:
    """L2-normalised mean of the last hidden states over real tokens (torch, the version's fine-tuned encoder)."""
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    from adapters.outbound.ml.serving.batching import length_buckets, pad_batch
    from adapters.outbound.ml.serving.devices import resolve_device
    from adapters.outbound.ml.serving.transformer_inference import tokenize

    device = resolve_device("auto")
    tokenizer = AutoTokenizer.from_pretrained(str(bert_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(bert_dir), local_files_only=True).to(device).eval()
    ids = tokenize(tokenizer, texts, max_length)
    out = np.zeros((len(ids), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for chunk in length_buckets([len(row) for row in ids], 128):
            padded = pad_batch([ids[i] for i in chunk], int(tokenizer.pad_token_id))
            batch = {key: value.to(device) for key, value in padded.items()}
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            out[chunk] = torch.nn.functional.normalize(pooled, dim=-1).float().cpu().numpy()
    return out


def knn_probabilities(index: Any, index_labels: Any, queries: Any, k: int, temperature: float, n: int) -> Any:
    """Softmax(similarity / temperature) votes of the k most similar indexed tickets, per label."""
    import numpy as np

    result = np.zeros((len(queries), n))
    for start in range(0, len(queries), 1024):
        sims = queries[start : start + 1024] @ index.T
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        weights = np.exp((top_sims - top_sims.max(axis=1, keepdims=True)) / temperature)
        rows = result[start : start + 1024]
        for j in range(k):
            np.add.at(rows, (np.arange(len(rows)), index_labels[top[:, j]]), weights[:, j])
    return result / result.sum(axis=1, keepdims=True)


def knn_lever(context: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    version, labels = context["version"], context["labels"]
    started = time.monotonic()
    bert_dir = version / "bert"
    train_texts = [e.text for e in context["train"]]
    embedded = mean_pooled_embeddings(
        bert_dir, train_texts + [e.text for e in context["val"]] + context["held_texts"], 128
    )
    n_train, n_val = len(train_texts), len(context["val"])
    index, val_q, held_q = embedded[:n_train], embedded[n_train : n_train + n_val], embedded[n_train + n_val :]
    index_labels = np.asarray([labels.index(e.label) for e in context["train"]])
    val_truth = np.asarray(context["val_truth"])
    best: tuple[float, int, float, float] | None = None
    for k in (5, 10, 25, 50):
        for temperature in (0.02, 0.05, 0.2):
            knn_val = knn_probabilities(index, index_labels, val_q, k, temperature, len(labels))
            for step in range(21):
                share = step / 20
                mixed = (1 - share) * context["hybrid_val"] + share * knn_val
                accuracy = float(np.mean(mixed.argmax(axis=1) == val_truth))
                if best is None or accuracy > best[0]:
                    best = (accuracy, k, temperature, share)
    assert best is not None
    _, k, temperature, share = best
    knn_held = knn_probabilities(index, index_labels, held_q, k, temperature, len(labels))
    mixed = (1 - share) * context["hybrid_held"] + share * knn_held
    return {
        "seconds": round(time.monotonic() - started, 1),
        "k": k,
        "temperature": temperature,
        "knn_share": share,
        **score("knn_alone", knn_held, context["held_truth"], labels),
        **score("hybrid", mixed, context["held_truth"], labels),
    }


def refit_linear_lever(context: dict[str, Any]) -> dict[str, Any]:
    from adapters.outbound.ml.training.tfidf_fit import train_tfidf_linear

    started = time.monotonic()
    both = list(context["train"]) + list(context["val"])
    linear = train_tfidf_linear([e.text for e in both], [e.label for e in both], context["labels"])
    linear_held = linear.predict_proba(context["held_texts"])
    weight = context["bert_weight"]
    hybrid = weight * context["bert_held"] + (1 - weight) * linear_held
    return {
        "seconds": round(time.monotonic() - started, 1),
        "bert_weight": weight,
        **score("linear", linear_held, context["held_truth"], context["labels"]),
        **score("hybrid", hybrid, context["held_truth"], context["labels"]),
    }


def build_transformer_only_context(args: argparse.Namespace) -> dict[str, Any]:
    """Without a job: the job's split of the kept tickets, and levers compared on the transformer alone."""
    import numpy as np

    kept, held = stratified_holdout(read_rows(args.csv), 0.1, seed=1234)
    split = split_as_the_job(kept)
    labels = list(split.labels)
    uniform = np.full((1, len(labels)), 1.0 / len(labels))
    return {
        "train": list(split.train),
        "val": list(split.validation),
        "labels": labels,
        "val_truth": [labels.index(e.label) for e in split.validation],
        "held_texts": [r["Document"] for r in held],
        "held_truth": [r["Topic_group"] for r in held],
        # a uniform "linear model": the blend then ranks exactly as the transformer does
        "linear_val": np.repeat(uniform, len(split.validation), axis=0),
        "linear_held": np.repeat(uniform, len(held), axis=0),
        "base": args.base or _bundled_minilm(),
        "out": args.job_workdir / "levers",
    }


def _bundled_minilm() -> Path:
    from adapters.outbound.ml.serving.minilm_embedder import default_minilm_dir

    return Path(default_minilm_dir())


def build_context(args: argparse.Namespace) -> dict[str, Any]:
    from adapters.outbound.ml.serving.model_version import LoadedModelVersion

    version = job_version(args.job_workdir)
    split = split_as_the_job(read_rows(args.job_workdir / "training_data" / "labelled_tickets.csv"))
    train, val = list(split.train), list(split.validation)
    held_texts, held_truth = held_out(args.csv)
    loaded = LoadedModelVersion(version, load_unused=True)
    labels = list(loaded.labels)
    val_parts = loaded.predict_components([e.text for e in val])
    held_parts = loaded.predict_components(held_texts)
    base = args.base or _bundled_minilm()
    return {
        "version": version,
        "train": train,
        "val": val,
        "labels": labels,
        "val_truth": [labels.index(e.label) for e in val],
        "held_texts": held_texts,
        "held_truth": held_truth,
        "linear_val": val_parts["linear"],
        "linear_held": held_parts["linear"],
        "bert_held": held_parts["bert"],
        "hybrid_val": val_parts["hybrid"],
        "hybrid_held": held_parts["hybrid"],
        "bert_weight": loaded.bert_weight,
        "base": base,
        "out": args.job_workdir / "levers",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--job-workdir", type=Path, required=True, help="accuracy_benchmark.py's --workdir")
    parser.add_argument("--csv", type=Path, default=SHARED_CSV, help="the shared CSV (for the same holdout)")
    parser.add_argument("--base", type=Path, help="MiniLM folder (default: the bundled one)")
    parser.add_argument("--levers", default="knn,refit_linear,epochs2", help="comma-separated lever names")
    parser.add_argument(
        "--transformer-only", action="store_true", help="no job needed: compare transformer levers on bert alone"
    )
    args = parser.parse_args()
    names = [n for n in args.levers.split(",") if n]
    unknown = set(names) - set(TRANSFORMER_LEVERS) - set(POST_HOC_LEVERS)
    if unknown:
        raise SystemExit(f"unknown levers {sorted(unknown)}; known: {[*TRANSFORMER_LEVERS, *POST_HOC_LEVERS]}")
    if args.transformer_only:
        args.job_workdir.mkdir(parents=True, exist_ok=True)
        run_levers(args, names, build_transformer_only_context(args))
        return
    context = build_context(args)
    baseline = {
        **score("bert", context["bert_held"], context["held_truth"], context["labels"]),
        **score("linear", context["linear_held"], context["held_truth"], context["labels"]),
        **score("hybrid", context["hybrid_held"], context["held_truth"], context["labels"]),
    }
    print(f"job version {context['version'].name}: {baseline}", flush=True)
    run_levers(args, names, context)


def run_levers(args: argparse.Namespace, names: list[str], context: dict[str, Any]) -> None:
    for name in names:
        if name == "knn":
            result = knn_lever(context)
        elif name == "refit_linear":
            result = refit_linear_lever(context)
        else:
            result = transformer_lever(name, context)
        line = {"lever": name, **result}
        print(json.dumps(line), flush=True)
        with (args.job_workdir / "levers.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()

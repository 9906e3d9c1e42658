"""Accuracy and per-ticket cost of a trained version's transformer on torch fp32, ONNX fp32 and ONNX int8.

    .venv/bin/python benchmarks/onnx_experiment.py --model-dir models/v20261126-...
    .venv/bin/python benchmarks/onnx_experiment.py --model-dir DIR --sample 0 --threads 2

1. Copies the version's bert/ folder to a temporary folder (the version itself is left untouched unless
   --in-place) and exports model.onnx and model.int8.onnx there with the training module's `export_onnx`
   (each graph checked against torch on its smoke texts; a graph that fails is reported and skipped).
2. Scores the shared tickets the training job never saw: the same stratified 10% holdout (seed 1234) as
   accuracy_benchmark.py, or a fixed random subset of it (--sample, default 2000; 0 = all of it).
3. For each runtime: accuracy and macro-F1 of the transformer alone and of the blend the version serves
   (model.json bert_weight with its TF-IDF linear part), agreement with torch's labels, the largest probability
   gap to torch, and the cost per ticket (wall and CPU seconds) in batches of --batch-size and one by one.
The issue's rule is printed as a verdict: int8 is served only if its blended accuracy is within 0.3 points of
ONNX fp32's. Timings on a shared machine are noisy: compare runtimes within one run. It asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_CSV = ROOT.parent / "shared" / "data" / "it_service_tickets.csv"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

INT8_RULE_POINTS = 0.3


def held_out_tickets(csv_path: Path, sample: int) -> list[dict[str, str]]:
    from accuracy_benchmark import stratified_holdout

    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    _, held = stratified_holdout(rows, 0.1, seed=1234)
    if 0 < sample < len(held):
        held = random.Random(2024).sample(held, sample)
    return held


def timed(function: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def one_by_one(runner: Any, texts: Sequence[str]) -> Callable[[], None]:
    def run() -> None:
        for text in texts:
            runner.predict_probabilities([text])

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, required=True, help="a version folder (model.json, bert/, linear/)")
    parser.add_argument("--csv", type=Path, default=SHARED_CSV)
    parser.add_argument("--sample", type=int, default=2000, help="held-out tickets to score (0 = all)")
    parser.add_argument("--batch-size", type=int, default=32, help="tickets per call, as the micro-batcher sends")
    parser.add_argument("--single", type=int, default=100, help="tickets timed one by one (batch of 1)")
    parser.add_argument("--threads", type=int, help="intra-op threads for torch and ONNX Runtime (default: torch's)")
    parser.add_argument("--per-tensor", action="store_true", help="int8 with one scale per weight matrix")
    parser.add_argument(
        "--runtimes",
        nargs="+",
        default=["torch", "onnx", "onnx-int8", "onnx-int8/nospin"],
        choices=["torch", "onnx", "onnx-int8", "onnx-int8/nospin"],
    )
    parser.add_argument("--in-place", action="store_true", help="export into the version's own bert/ folder")
    args = parser.parse_args()

    import numpy as np

    from adapters.outbound.ml.serving.model_version import LoadedModelVersion, blend
    from adapters.outbound.ml.serving.onnx_classifier import load_transformer_runner
    from adapters.outbound.ml.serving.tfidf_model import TfidfLinearModel
    from adapters.outbound.ml.torch_threads import configure_torch_threads
    from adapters.outbound.ml.training.onnx_export import export_onnx
    from domain.metrics import evaluate

    threads = configure_torch_threads(args.threads)
    manifest = json.loads((args.model_dir / "model.json").read_text(encoding="utf-8"))
    labels, weight, max_length = list(manifest["labels"]), float(manifest["bert_weight"]), int(manifest["max_length"])
    held = held_out_tickets(args.csv, args.sample)
    texts, truth = [row["Document"] for row in held], [row["Topic_group"] for row in held]
    print(
        f"version {args.model_dir.name}: kind {manifest['kind']}, bert_weight {weight}, max_length {max_length}, "
        f"{len(labels)} labels; {len(held)} held-out tickets; {threads} intra-op threads; batch {args.batch_size}"
    )
    with tempfile.TemporaryDirectory(prefix="onnx-experiment-") as scratch:
        bert_dir = args.model_dir / "bert"
        if not args.in_place:
            bert_dir = Path(scratch) / "bert"
            shutil.copytree(args.model_dir / "bert", bert_dir)
        report, export_wall, _ = timed(lambda: export_onnx(bert_dir, max_length, per_channel=not args.per_tensor))
        print(f"export: {export_wall:.1f} s; written {report.written}; refused {report.refused}")
        print(f"  smoke-text gap to torch {report.max_abs_diff}; label agreement {report.argmax_agreement}")
        for name in ("model.onnx", "model.int8.onnx"):
            if (bert_dir / name).is_file():
                print(f"  {name}: {(bert_dir / name).stat().st_size / 2**20:.1f} MiB")

        linear_path = args.model_dir / "linear"
        linear = TfidfLinearModel.load(linear_path) if linear_path.is_dir() else None
        linear_probabilities, linear_wall, linear_cpu = timed(
            lambda: linear.predict_proba(texts) if linear is not None else None
        )
        if linear is not None:
            print(
                f"linear (TF-IDF) part: {linear_wall / len(texts) * 1000:.2f} ms wall, "
                f"{linear_cpu / len(texts) * 1000:.2f} ms CPU per ticket"
            )

        def predict_in_batches(runner: Any) -> Callable[[], Any]:
            def run() -> Any:
                parts = [
                    runner.predict_probabilities(texts[i : i + args.batch_size])
                    for i in range(0, len(texts), args.batch_size)
                ]
                return np.vstack(parts)

            return run

        results: dict[str, dict[str, Any]] = {}
        for choice in args.runtimes:
            runtime, spinning = choice.split("/")[0], not choice.endswith("/nospin")
            runner = load_transformer_runner(
                bert_dir, runtime, max_length, batch_size=args.batch_size, threads=threads, spinning=spinning
            )
            if runner.runtime != runtime:
                print(f"{runtime}: not available (fell back to {runner.runtime}); skipped")
                continue
            runner.predict_probabilities(texts[:16])  # warm-up: first calls allocate
            probabilities, wall, cpu = timed(predict_in_batches(runner))
            _, single_wall, single_cpu = timed(one_by_one(runner, texts[: args.single]))
            hybrid = blend(probabilities, linear_probabilities, weight)
            results[runtime if spinning else f"{runtime}/nospin"] = {
                "bert": probabilities,
                "hybrid": hybrid,
                "wall": wall / len(texts),
                "cpu": cpu / len(texts),
                "single_wall": single_wall / max(1, args.single),
                "single_cpu": single_cpu / max(1, args.single),
            }
            del runner

        if "torch" in results:  # the served path (LoadedModelVersion) must give what the torch runner gave
            served = LoadedModelVersion(args.model_dir).predict_proba_array(texts[:64])
            gap = float(np.max(np.abs(served - results["torch"]["hybrid"][:64])))
            print(f"check: LoadedModelVersion vs torch runner + blend on 64 tickets, max gap {gap:.2e}")

        print(
            f"\n{'runtime':10s} {'bert acc':>9s} {'bert F1':>8s} {'blend acc':>9s} {'blend F1':>8s} "
            f"{'=torch':>7s} {'max|dp|':>8s} {'ms/ticket':>10s} {'CPU ms':>7s} {'1-by-1 ms':>10s} {'CPU ms':>7s}"
        )
        for runtime, result in results.items():
            bert = evaluate(truth, [labels[i] for i in result["bert"].argmax(axis=1)], labels)
            hybrid = evaluate(truth, [labels[i] for i in result["hybrid"].argmax(axis=1)], labels)
            result["accuracy"] = hybrid.accuracy
            reference = results.get("torch", result)
            same = float(np.mean(result["hybrid"].argmax(axis=1) == reference["hybrid"].argmax(axis=1)))
            gap = float(np.max(np.abs(result["bert"] - reference["bert"])))
            print(
                f"{runtime:10s} {bert.accuracy:9.4f} {bert.macro_f1:8.4f} {hybrid.accuracy:9.4f} "
                f"{hybrid.macro_f1:8.4f} {same:7.4f} {gap:8.2e} {result['wall'] * 1000:10.2f} "
                f"{result['cpu'] * 1000:7.2f} {result['single_wall'] * 1000:10.2f} "
                f"{result['single_cpu'] * 1000:7.2f}"
            )
        if "onnx" in results and "onnx-int8" in results:
            drop = (results["onnx"]["accuracy"] - results["onnx-int8"]["accuracy"]) * 100
            verdict = "serve onnx-int8" if drop <= INT8_RULE_POINTS else "serve onnx (fp32)"
            print(
                f"\nint8 blended accuracy minus fp32: {-drop:+.2f} points (rule: at most {INT8_RULE_POINTS} points "
                f"lower) -> {verdict}"
            )
        print("(timings on a shared, busy machine are noisy; compare runtimes within this run)")


if __name__ == "__main__":
    main()

"""How far the category model's confidence can be trusted, and how many tickets it could decide without a person.

    HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python benchmarks/decision_quality.py \
        --model-dir <workdir>/models/<version> --training-csv <workdir>/training_data/labelled_tickets.csv

Rebuilds the three sets of tickets a trained version can be measured on:
- the job's validation and test splits: the job's exported training CSV, split with `split_dataset` and the
  retraining job's own settings (`RetrainingSettings`), exactly as `export_tickets_and_retrain` splits it;
- the held-out tickets no job saw: `accuracy_benchmark.stratified_holdout` of the shared CSV (10%, seed 1234).
Predicts the hybrid's probabilities for all three (cached in an .npz under --cache, so a rerun is instant), fits
the temperature on validation, and prints:
- ECE (15 equal-width bins, top-1) on validation, test and held-out tickets, before and after the temperature,
  and whether `choose_calibration` keeps it (only where it lowers the test ECE);
- accuracy of the most confident 50/80/90/100% of the held-out tickets;
- per-label thresholds chosen on validation, and the share of held-out (and test) tickets they decide
  automatically with the precision those decisions realise; for targets 0.90/0.95/0.97 and min_support 10/20,
  on raw and on calibrated confidences.
`--skip-test` leaves the job's test split out to save inference time: no `choose_calibration`
verdict and no test columns then. It asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from accuracy_benchmark import SHARED_CSV, stratified_holdout

from domain.calibration import (
    DEFAULT_BINS,
    apply_temperature,
    choose_calibration,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
    top_predictions,
)
from domain.dataset_split import Example, split_dataset
from domain.decision_thresholds import ThresholdTable, ValidationPoint, coverage_report

SETS = ("validation", "holdout", "test")  # in the order they are predicted; test is optional
TARGETS = (0.90, 0.95, 0.97)
MIN_SUPPORTS = (10, 20)
GOAL_COVERAGE, GOAL_PRECISION = 0.85, 0.95


@dataclass(frozen=True, slots=True)
class Scored:
    """One set of tickets: the hybrid's probability rows (raw and calibrated) and the true label indices."""

    raw: list[list[float]]
    calibrated: list[list[float]]
    truth: list[int]

    def points(self, labels: Sequence[str], calibrated: bool) -> list[ValidationPoint]:
        rows = self.calibrated if calibrated else self.raw
        confidences, correct = top_predictions(rows, self.truth)
        predicted = [max(range(len(row)), key=row.__getitem__) for row in rows]
        return [ValidationPoint(labels[i], c, ok) for i, c, ok in zip(predicted, confidences, correct, strict=True)]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def job_split(training_csv: Path) -> tuple[list[Example], list[Example], int]:
    """Validation and test as the retraining job split them (same settings object, same function)."""
    from bootstrap.container import retraining_settings
    from bootstrap.settings import load_settings

    settings = retraining_settings(load_settings({}, env_file=None))
    examples = [Example(row["Document"], row["Topic_group"]) for row in read_rows(training_csv)]
    split = split_dataset(examples, settings.validation_share, settings.test_share, settings.split_seed)
    return list(split.validation), list(split.test), len(split.train)


def cached_probabilities(model_dir: Path, texts: dict[str, list[str]], cache: Path) -> dict[str, Any]:
    """Hybrid (and per-component) probabilities of each set, as "<set>_<component>" arrays. Each set is cached
    in its own .npz (keyed by the model folder, its model.json and the set's texts) as soon as it is predicted,
    so an interrupted run keeps what it finished."""
    import numpy as np

    arrays: dict[str, Any] = {}
    loaded: Any = None
    for name, set_texts in texts.items():
        digest = hashlib.blake2b(digest_size=8)
        digest.update(str(model_dir.resolve()).encode() + (model_dir / "model.json").read_bytes())
        for text in set_texts:
            digest.update(text.encode() + b"\x00")
        path = cache / f"{model_dir.name}-{name}-{digest.hexdigest()}.npz"
        if path.is_file():
            with np.load(path) as stored:
                arrays |= {f"{name}_{key}": stored[key] for key in stored.files}
            print(f"{name}: probabilities from cache {path}")
            continue
        if loaded is None:
            from adapters.outbound.ml.serving.model_version import LoadedModelVersion

            loaded = LoadedModelVersion(model_dir, load_unused=True)
        started = time.perf_counter()
        predicted = loaded.predict_components(set_texts)
        parts: dict[str, Any] = {key: np.asarray(value, dtype=np.float64) for key, value in predicted.items()}
        cache.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **parts)
        arrays |= {f"{name}_{key}": value for key, value in parts.items()}
        print(
            f"{name}: predicted {len(set_texts)} tickets in {time.perf_counter() - started:.0f} s, cached in {path}",
            flush=True,
        )
    return arrays


def accuracy(rows: Sequence[Sequence[float]], truth: Sequence[int]) -> float:
    return sum(top_predictions(rows, truth)[1]) / len(truth)


def ece(rows: Sequence[Sequence[float]], truth: Sequence[int]) -> float:
    return expected_calibration_error(*top_predictions(rows, truth), bins=DEFAULT_BINS)


def print_calibration(scored: dict[str, Scored], components: dict[str, dict[str, Any]], temperature: float) -> None:
    print(f"\n== calibration (ECE, {DEFAULT_BINS} equal-width bins, top-1) ==")
    print(f"temperature fitted on validation: T = {temperature:.4f}")
    for name, s in scored.items():
        parts = ", ".join(f"{c} {ece(p, s.truth):.4f}" for c, p in sorted(components[name].items()))
        print(
            f"  {name:10s} n={len(s.truth):5d} accuracy {accuracy(s.raw, s.truth):.4f}  "
            f"ECE raw {ece(s.raw, s.truth):.4f} -> calibrated {ece(s.calibrated, s.truth):.4f}  ({parts})"
        )
    print("reliability on held-out tickets (bin: count, mean confidence -> accuracy; raw | calibrated)")
    hold = scored["holdout"]
    raw_bins = reliability_bins(*top_predictions(hold.raw, hold.truth))
    cal_bins = reliability_bins(*top_predictions(hold.calibrated, hold.truth))
    for raw, cal in zip(raw_bins, cal_bins, strict=True):
        if raw.count or cal.count:
            print(
                f"  [{raw.lower:.3f}, {raw.upper:.3f})  {_bin(raw.count, raw.mean_confidence, raw.accuracy)}"
                f"  |  {_bin(cal.count, cal.mean_confidence, cal.accuracy)}"
            )


def _bin(count: int, confidence: float | None, right: float | None) -> str:
    if confidence is None or right is None:
        return f"{'':>5s} {'-':>16s}"
    return f"{count:5d} {confidence:.3f} -> {right:.3f}"


def print_coverage_curve(hold: Scored) -> None:
    print("\n== held-out accuracy of the most confident tickets ==")
    for label, rows in (("raw", hold.raw), ("calibrated", hold.calibrated)):
        confidences, correct = top_predictions(rows, hold.truth)
        ranked = [ok for _, ok in sorted(zip(confidences, correct, strict=True), key=lambda pair: -pair[0])]
        cells = []
        for share in (0.5, 0.8, 0.9, 1.0):
            taken = ranked[: max(1, round(share * len(ranked)))]
            cells.append(f"{share:.0%}: {sum(taken) / len(taken):.4f}")
        print(f"  {label:10s} " + "  ".join(cells))


def print_thresholds(
    labels: Sequence[str], scored: dict[str, Scored], calibrated: bool, target: float, min_support: int
) -> None:
    scale = "calibrated" if calibrated else "raw"
    table = ThresholdTable.from_points(scored["validation"].points(labels, calibrated), min_support)
    hold = coverage_report(table, target, scored["holdout"].points(labels, calibrated))
    test = coverage_report(table, target, scored["test"].points(labels, calibrated) if "test" in scored else [])
    validation_counts = {label: len(points) for label, points in table.points.items()}
    print(
        f"\n== per-label thresholds at target {target}, min_support {min_support}, {scale} confidence "
        f"(chosen on validation; measured on held-out tickets, and on test) =="
    )
    print(
        f"  {'label':22s} {'threshold':>9s} {'val n':>6s} {'held n':>6s} {'auto':>5s} {'coverage':>8s} "
        f"{'precision':>9s} | {'test cov':>8s} {'test prec':>9s}"
    )
    test_lines = {line.label: line for line in test.per_label}
    for line in (*hold.per_label, hold.overall):
        name = line.label or "OVERALL"
        other = test_lines.get(line.label) if line.label else test.overall
        other = other if other is not None and other.tickets else None
        threshold = f"{line.threshold:.6f}" if line.threshold is not None else ("never" if line.label else "")
        print(
            f"  {name:22s} {threshold:>9s} {validation_counts.get(name, sum(validation_counts.values())):6d} "
            f"{line.tickets:6d} {line.automatic:5d} {line.coverage:8.4f} {_share(line.precision):>9s} | "
            f"{_share(other.coverage if other else None):>8s} {_share(other.precision if other else None):>9s}"
        )


def print_grid(labels: Sequence[str], scored: dict[str, Scored]) -> None:
    print("\n== overall, every setting (thresholds chosen on validation) ==")
    print(
        f"  {'confidence':10s} {'min_sup':>7s} {'target':>6s} {'never':>5s} | {'held cov':>8s} {'held prec':>9s} "
        f"| {'test cov':>8s} {'test prec':>9s} | goal (>= {GOAL_COVERAGE:.0%} at >= {GOAL_PRECISION}) on held-out"
    )
    for calibrated in (False, True):
        for min_support in MIN_SUPPORTS:
            table = ThresholdTable.from_points(scored["validation"].points(labels, calibrated), min_support)
            hold_points = scored["holdout"].points(labels, calibrated)
            test_points = scored["test"].points(labels, calibrated) if "test" in scored else []
            for target in TARGETS:
                hold = coverage_report(table, target, hold_points).overall
                test = coverage_report(table, target, test_points).overall
                never = sum(1 for t in table.thresholds(target).values() if t is None)
                met = hold.coverage >= GOAL_COVERAGE and (hold.precision or 0.0) >= GOAL_PRECISION
                print(
                    f"  {'calibrated' if calibrated else 'raw':10s} {min_support:7d} {target:6.2f} {never:5d} | "
                    f"{hold.coverage:8.4f} {_share(hold.precision):>9s} | "
                    f"{_share(test.coverage if test.tickets else None):>8s} "
                    f"{_share(test.precision):>9s} | {'met' if met else 'not met'}"
                )


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, required=True, help="a trained version folder (with model.json)")
    parser.add_argument("--training-csv", type=Path, required=True, help="the job's exported labelled_tickets.csv")
    parser.add_argument("--csv", type=Path, default=SHARED_CSV, help="the shared tickets, for the held-out 10%%")
    parser.add_argument("--holdout", type=float, default=0.1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ticket-utils-decision-quality"))
    parser.add_argument("--skip-test", action="store_true", help="do not predict the job's test split")
    args = parser.parse_args()

    manifest = json.loads((args.model_dir / "model.json").read_text(encoding="utf-8"))
    labels: list[str] = [str(label) for label in manifest["labels"]]
    validation, test, train_size = job_split(args.training_csv)
    _, held = stratified_holdout(read_rows(args.csv), args.holdout, seed=1234)
    examples = {
        "validation": validation,
        "test": test,
        "holdout": [Example(row["Document"], row["Topic_group"]) for row in held],
    }
    trained = json.loads((args.model_dir / "training.json").read_text(encoding="utf-8"))
    print(
        f"model {args.model_dir.name}: kind {manifest['kind']}, bert_weight {manifest['bert_weight']}, "
        f"{len(labels)} labels"
    )
    print(
        f"split rebuilt from {args.training_csv.name}: train {train_size} (training.json n_train "
        f"{trained.get('n_train')}), validation {len(validation)} (n_val {trained.get('n_val')}), test {len(test)}; "
        f"held out {len(held)} of {args.csv.name}"
    )

    sets = [n for n in SETS if n != "test" or not args.skip_test]
    arrays = cached_probabilities(args.model_dir, {n: [e.text for e in examples[n]] for n in sets}, args.cache)
    index = {label: i for i, label in enumerate(labels)}
    truth = {n: [index.get(e.label, -1) for e in examples[n]] for n in sets}
    raw = {n: arrays[f"{n}_hybrid"].tolist() for n in sets}
    known = [(row, t) for row, t in zip(raw["validation"], truth["validation"], strict=True) if t >= 0]
    temperature = fit_temperature([r for r, _ in known], [t for _, t in known])
    scored = {n: Scored(raw[n], [apply_temperature(row, temperature) for row in raw[n]], truth[n]) for n in sets}
    components = {n: {c: arrays[f"{n}_{c}"].tolist() for c in ("bert", "linear") if f"{n}_{c}" in arrays} for n in sets}

    print_calibration(scored, components, temperature)
    served_calibrated = True
    if "test" in scored:
        calibration = choose_calibration([r for r, _ in known], [t for _, t in known], raw["test"], truth["test"])
        served_calibrated = calibration.applied
        print(
            f"choose_calibration: test ECE {calibration.test_ece_before:.4f} -> {calibration.test_ece_after:.4f}; "
            f"{'applied' if calibration.applied else 'not applied'} (serving temperature "
            f"{calibration.temperature:.4f})"
        )
    print_coverage_curve(scored["holdout"])
    # The scale serving would use first (calibrated only where it lowered the test ECE), then the other one.
    for calibrated in (served_calibrated, not served_calibrated):
        print_thresholds(labels, scored, calibrated, 0.95, 20)
    print_grid(labels, scored)


if __name__ == "__main__":
    main()

"""Thresholds with less sampling noise: how many held-out tickets each rule decides automatically, at what precision.

    nice -n 10 .venv/bin/python benchmarks/threshold_noise.py --model-dir models/v... [--sample 0]

A version's model.json keeps its validation points (each validation ticket's predicted label, confidence and
whether it was right: `domain.decision_thresholds.ThresholdTable`). Each rule below turns them into per-label
thresholds for a target precision; the held-out tickets no job saw (`accuracy_benchmark.stratified_holdout`, 10%,
seed 1234; `--sample` of them, 0 = all) are then classified by the version and the rule's automatic share and
realised precision printed, at the target 0.95 and at the target of each rule that gets the most tickets while its
realised precision stays >= 0.95 (that second column chooses the target on the held-out tickets, so it shows a
rule's reach, not what it would do unaided). Rules:

  point            the service's rule: the lowest cut from which the label's validation precision is >= target at
                   every stricter cut holding >= min_support predictions
  wilson z         the same walk on the Wilson lower bound of the precision (z = 1.0 or 1.64)
  smoothed k       the same walk on (right + k * mean confidence) / (support + k): each label's few points are pulled
                   towards what its calibrated confidences promise, as k pseudo-tickets
  shrunk k         the same walk on the label's precision shrunk towards all labels' precision at the same cut,
                   as k pseudo-tickets (k = 20, 50, 100, 300)
  pooled           one cut for every label, from all labels' points together
  first-ok         the lowest cut whose cumulative precision is >= target, ignoring dips above it (more noise)
  lb-first-ok z    the lowest cut whose precision's Wilson lower bound (z = 0.5, 1.0, 1.64) is >= target, ignoring
                   dips above it: the bound, not the walk, guards against a lucky cut
Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

Points = Sequence[tuple[float, bool]]
Rule = Callable[[Points, float, int], float | None]


def walk(points: Points, ok: Callable[[int, int, float, float], bool], min_support: int) -> float | None:
    """The service's top-down walk with `ok(right, support, confidence sum, cut)` in place of the point
    precision."""
    support = right = 0
    total = 0.0
    found = None
    index = len(points) - 1
    while index >= 0:
        cut = points[index][0]
        while index >= 0 and points[index][0] == cut:
            support += 1
            right += points[index][1]
            total += points[index][0]
            index -= 1
        if support < min_support:
            continue
        if not ok(right, support, total, cut):
            break
        found = cut
    return found


def wilson_lower(right: int, support: int, z: float) -> float:
    p = right / support
    centre = p + z * z / (2 * support)
    spread = z * math.sqrt(p * (1 - p) / support + z * z / (4 * support * support))
    return (centre - spread) / (1 + z * z / support)


def rules() -> dict[str, Rule]:
    slack = 1e-9
    found: dict[str, Rule] = {
        "point": lambda pts, t, m: walk(pts, lambda r, s, c, cut: r >= t * s - slack, m),
        "first-ok": lambda pts, t, m: first_ok(pts, t, m),
    }
    for z in (1.0, 1.64):
        found[f"wilson {z}"] = lambda pts, t, m, z=z: walk(
            pts, lambda r, s, c, cut: wilson_lower(r, s, z) >= t - slack, m
        )
    for z in (0.5, 1.0, 1.64):
        found[f"lb-first-ok {z}"] = lambda pts, t, m, z=z: first_ok(pts, t, m, z)
    for k in (10, 30, 100):
        found[f"smoothed {k}"] = lambda pts, t, m, k=k: walk(
            pts, lambda r, s, c, cut: (r + k * c / s) / (s + k) >= t - slack, m
        )
    return found


def pooled_precision(pooled: Points) -> Callable[[float], float]:
    """The precision of all labels' validation predictions at or above a confidence."""
    import bisect

    confidences = [confidence for confidence, _ in pooled]
    right_from = [0] * (len(pooled) + 1)
    for index in range(len(pooled) - 1, -1, -1):
        right_from[index] = right_from[index + 1] + pooled[index][1]

    def at(cut: float) -> float:
        start = bisect.bisect_left(confidences, cut)
        support = len(pooled) - start
        return right_from[start] / support if support else 1.0

    return at


def shrunk(
    points: Points, target: float, min_support: int, k: float, pooled_at: Callable[[float], float]
) -> float | None:
    """The service's walk on the label's precision shrunk towards all labels' precision at the same cut, as k
    pseudo-tickets: a label with few points follows the pooled curve, one with many its own."""
    return walk(points, lambda r, s, c, cut: (r + k * pooled_at(cut)) / (s + k) >= target - 1e-9, min_support)


def first_ok(points: Points, target: float, min_support: int, z: float = 0.0) -> float | None:
    """The lowest cut whose precision (its Wilson lower bound with `z` > 0) is >= target, dips above ignored."""
    support = right = 0
    best = None
    for index in range(len(points) - 1, -1, -1):
        support += 1
        right += points[index][1]
        boundary = index == 0 or points[index - 1][0] != points[index][0]
        if not boundary or support < min_support:
            continue
        precision = wilson_lower(right, support, z) if z else right / support
        if precision >= target - 1e-9:
            best = points[index][0]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--csv", type=Path, default=ROOT.parent / "shared" / "data" / "it_service_tickets.csv")
    parser.add_argument("--sample", type=int, default=0, help="held-out tickets (0 = all)")
    parser.add_argument("--min-support", type=int, help="default: the table's own")
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()

    from onnx_experiment import held_out_tickets

    from adapters.outbound.ml.serving.model_version import LoadedModelVersion
    from adapters.outbound.ml.torch_threads import configure_torch_threads
    from domain.decision_thresholds import ThresholdTable

    configure_torch_threads(args.threads)
    manifest = json.loads((args.model_dir / "model.json").read_text(encoding="utf-8"))
    table = ThresholdTable.from_json(manifest["thresholds"])
    min_support = args.min_support or table.min_support
    held = held_out_tickets(args.csv, args.sample)
    version = LoadedModelVersion(args.model_dir)
    probabilities = version.predict_proba_array([row["Document"] for row in held])
    tests = []
    for row, truth in zip(probabilities, (row["Topic_group"] for row in held), strict=True):
        best = int(row.argmax())
        tests.append((version.labels[best], round(float(row[best]), 6), version.labels[best] == truth))
    accuracy = sum(right for _, _, right in tests) / len(tests)
    validation = sum(len(points) for points in table.points.values())
    print(
        f"version {args.model_dir.name} ({version.kind}); {validation} validation points, min_support {min_support}; "
        f"{len(tests)} held-out tickets, accuracy {accuracy:.4f}"
    )

    def measure(thresholds: dict[str, float | None]) -> tuple[float, float]:
        taken = [
            right for label, confidence, right in tests if (t := thresholds.get(label)) is not None and confidence >= t
        ]
        return len(taken) / len(tests), (sum(taken) / len(taken) if taken else 0.0)

    pooled_points = tuple(sorted(p for points in table.points.values() for p in points))
    pooled_at = pooled_precision(pooled_points)
    extra: dict[str, Rule] = {
        f"shrunk {k}": (lambda pts, t, m, k=k: shrunk(pts, t, m, k, pooled_at)) for k in (20, 50, 100, 300)
    }
    targets = [round(0.90 + 0.005 * step, 3) for step in range(20)]
    print(f"  {'rule':14s} {'target 0.95: share':>20s} {'precision':>10s}   best target with realised >= 0.95")
    for name, rule in [*rules().items(), *extra.items(), ("pooled", None)]:
        rows = []
        for target in targets:
            if rule is None:
                cut = rules()["point"](pooled_points, target, min_support)
                thresholds = dict.fromkeys(table.points, cut)
            else:
                thresholds = {label: rule(points, target, min_support) for label, points in table.points.items()}
            rows.append((target, *measure(thresholds)))
        at = next(row for row in rows if row[0] == 0.95)
        reach = max((row for row in rows if row[2] >= 0.95), key=lambda row: row[1], default=None)
        reached = f"{reach[1]:.3f} at {reach[2]:.3f} (target {reach[0]})" if reach else "none"
        print(f"  {name:14s} {at[1]:>20.3f} {at[2]:>10.3f}   {reached}")


if __name__ == "__main__":
    main()

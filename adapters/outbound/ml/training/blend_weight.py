"""Chooses the blend weight w of p = w * p_bert + (1 - w) * p_linear on the validation split.

Why a grid search on validation: the two models err on different tickets, and the best mix depends on how well
each was trained this time; the test split is never used, so the promotion decision stays honest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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

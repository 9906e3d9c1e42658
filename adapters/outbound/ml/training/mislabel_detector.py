"""Out-of-fold label judgements with the service's TF-IDF + logistic-regression recipe (scikit-learn).

Why this model: it is the cheap half of the hybrid, so K fits of it cost minutes, not hours; its errors
correlate with the served model's, which is what makes its disagreements worth an admin's look. Every ticket
is scored by the fold model that did not train on it (`cross_val_predict`), so a wrong label cannot vouch for
itself. A plain linear model is enough for this; no confident-learning library is needed.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from adapters.outbound.ml.training.tfidf_fit import LinearSettings, build_sklearn_model
from domain.labelled_tickets import LabelledTicket
from domain.mislabels import LabelJudgement

DEFAULT_FOLDS = 5


def out_of_fold_probabilities(
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = DEFAULT_FOLDS,
    settings: LinearSettings | None = None,
    seed: int = 0,
) -> tuple[list[str], Any, list[int]]:
    """(classes, probabilities, positions): the out-of-fold probability rows of the texts at `positions`
    (those whose label has at least `folds` tickets), columns in `classes` order. Blocking: call off the loop."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import FeatureUnion, make_pipeline

    if folds < 2:
        raise ValueError("folds must be at least 2")
    counts = Counter(labels)
    positions = [i for i, label in enumerate(labels) if counts[label] >= folds]
    classes = sorted({labels[i] for i in positions})
    if len(classes) < 2:
        return classes, np.zeros((0, len(classes))), []
    vectorizers, classifier = build_sklearn_model(settings or LinearSettings())
    pipeline = make_pipeline(FeatureUnion([(f"v{n}", v) for n, v in enumerate(vectorizers)]), classifier)
    index = {label: n for n, label in enumerate(classes)}
    targets = np.asarray([index[labels[i]] for i in positions])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    # One fold per core: the folds are independent fits, and this step runs after the transformer is done.
    probabilities = cross_val_predict(
        pipeline,
        [texts[i] for i in positions],
        targets,
        cv=splitter,
        method="predict_proba",
        n_jobs=min(folds, os.cpu_count() or 1),
    )
    return classes, probabilities, positions


def judge(
    ids: Sequence[int],
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = DEFAULT_FOLDS,
    settings: LinearSettings | None = None,
    seed: int = 0,
) -> list[LabelJudgement]:
    """A judgement per judgeable ticket: the proposed label is the out-of-fold argmax. Blocking."""
    classes, probabilities, positions = out_of_fold_probabilities(texts, labels, folds, settings, seed)
    column = {label: n for n, label in enumerate(classes)}
    judgements = []
    for row, position in zip(probabilities, positions, strict=True):
        given = labels[position]
        judgements.append(
            LabelJudgement(int(ids[position]), given, classes[int(row.argmax())], float(row[column[given]]))
        )
    return judgements


class SklearnMislabelDetector:
    """`MislabelDetector` over K-fold cross-validated TF-IDF + logistic regression, run in a worker thread."""

    def __init__(self, folds: int = DEFAULT_FOLDS, settings: LinearSettings | None = None, seed: int = 0) -> None:
        self._folds = folds
        self._settings = settings
        self._seed = seed

    async def find(self, tickets: Sequence[LabelledTicket]) -> list[LabelJudgement]:
        known = [ticket for ticket in tickets if ticket.id is not None]
        return await asyncio.to_thread(
            judge,
            [t.id or 0 for t in known],
            [t.text for t in known],
            [t.category for t in known],
            self._folds,
            self._settings,
            self._seed,
        )

"""Fits the TF-IDF + logistic-regression half of the hybrid with scikit-learn and hands it to the serving model.

Why this split: the vectorizers are built by the serving module's `make_vectorizer` and kept as they are, so the
served model transforms text with the very objects (or, after loading, identically configured ones) that were
fitted; only the logistic regression's coefficients are copied out, since it would otherwise have to be pickled.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from adapters.outbound.ml.serving.tfidf_model import TfidfLinearModel, make_vectorizer

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinearSettings:
    """Feature and regulariser choices; the defaults won on the validation split (see the benchmark).

    Word 1-2 grams carry the topic keywords; char_wb 2-5 grams add robustness to typos, inflections and glued
    tokens. C is the inverse L2 strength of the logistic regression (probabilities feed the hybrid blend).
    """

    word_ngram_range: tuple[int, int] = (1, 2)
    char_ngram_range: tuple[int, int] | None = (2, 5)
    min_df: int = 2
    max_char_features: int | None = 300_000
    sublinear_tf: bool = True
    C: float = 20.0
    max_iter: int = 1000
    tol: float = 1e-4

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def build_sklearn_model(settings: LinearSettings) -> tuple[list[Any], Any]:
    """Unfitted scikit-learn vectorizers (word n-grams, then char_wb n-grams) and classifier matching `settings`."""
    from sklearn.linear_model import LogisticRegression  # deferred: seconds of import time

    vectorizers = [make_vectorizer("word", settings.word_ngram_range, settings.sublinear_tf, settings.min_df)]
    if settings.char_ngram_range is not None:
        vectorizers.append(
            make_vectorizer(
                "char_wb", settings.char_ngram_range, settings.sublinear_tf, settings.min_df, settings.max_char_features
            )
        )
    classifier = LogisticRegression(C=settings.C, max_iter=settings.max_iter, tol=settings.tol)
    return vectorizers, classifier


def fit_sklearn_model(
    texts: Sequence[str], targets: Sequence[str], labels: list[str], settings: LinearSettings
) -> tuple[list[Any], Any]:
    """Fits the reference pipeline; class order follows `labels` (targets are mapped to label indices)."""
    import scipy.sparse as sp

    _check_targets(targets, labels)
    vectorizers, classifier = build_sklearn_model(settings)
    matrix = sp.hstack([v.fit_transform(list(texts)) for v in vectorizers], format="csr")
    index = {label: position for position, label in enumerate(labels)}
    classifier.fit(matrix, [index[t] for t in targets])
    return vectorizers, classifier


def export_sklearn_model(
    vectorizers: list[Any], classifier: Any, labels: list[str], settings: LinearSettings
) -> TfidfLinearModel:
    """The serving model over the fitted vectorizers and the classifier's coefficients, rows in `labels` order;
    labels absent from training get -inf-like scores."""
    import numpy as np

    classes = [int(c) for c in classifier.classes_]
    coef = np.asarray(classifier.coef_, dtype=np.float64)
    intercept = np.asarray(classifier.intercept_, dtype=np.float64)
    if len(classes) != len(labels) and coef.shape[0] > 1:
        # A label never seen in training: give it a zero row and a very low intercept so it is never predicted.
        full_coef = np.zeros((len(labels), coef.shape[1]))
        full_intercept = np.full(len(labels), -1e4)
        full_coef[classes], full_intercept[classes] = coef, intercept
        coef, intercept = full_coef, full_intercept
    elif len(classes) != len(labels):
        raise ValueError("a binary model cannot be widened to more labels; train with every label present")
    return TfidfLinearModel(list(labels), list(vectorizers), coef, intercept, settings.to_json())


def train_tfidf_linear(
    texts: Sequence[str], targets: Sequence[str], labels: list[str], settings: LinearSettings | None = None
) -> TfidfLinearModel:
    """Fits with scikit-learn and returns the exported, pickle-free model."""
    chosen = settings or LinearSettings()
    vectorizers, classifier = fit_sklearn_model(texts, targets, labels, chosen)
    return export_sklearn_model(vectorizers, classifier, labels, chosen)


ABSENT_INTERCEPT = -1e3
"""At or below this, an exported intercept marks a label the model never saw (`export_sklearn_model` gives -1e4)."""


def refit_tfidf_linear(
    texts: Sequence[str], targets: Sequence[str], labels: list[str], settings: LinearSettings, start: TfidfLinearModel
) -> TfidfLinearModel | None:
    """Refits `start`'s logistic regression on all of `texts`, over `start`'s fitted vectorizers, warm-started
    from its coefficients; None when it cannot be warm-started (a two-class model, whose single row sklearn
    cannot continue), so the caller fits from scratch.

    Why this is the same refit, only cheaper: with the vocabulary kept, the objective is the one a cold fit
    minimises, and it is convex, so the warm start converges to the same optimum; starting there, a few new
    tickets cost a few iterations instead of the full descent. The vocabulary (and idf) stay those `start` was
    fitted with, which is what an update wants: a full training builds them again. A label `start` did not know
    starts at zero."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression  # deferred: seconds of import time

    _check_targets(targets, labels)
    index = {label: position for position, label in enumerate(labels)}
    present = sorted({index[target] for target in targets})
    if len(present) < 3 or start.coef.shape[0] != len(start.labels):
        return None
    known = {label: row for row, label in enumerate(start.labels)}
    coef = np.zeros((len(present), start.coef.shape[1]))
    intercept = np.zeros(len(present))
    for row, position in enumerate(present):
        old = known.get(labels[position])
        if old is not None and start.intercept[old] > ABSENT_INTERCEPT:
            coef[row], intercept[row] = start.coef[old], start.intercept[old]
    classifier = LogisticRegression(C=settings.C, max_iter=settings.max_iter, tol=settings.tol, warm_start=True)
    classifier.coef_, classifier.intercept_ = coef, intercept
    classifier.fit(start.transform(texts), [index[t] for t in targets])
    logger.info("linear model refitted warm in %d iterations", int(np.max(classifier.n_iter_)))
    refitted = export_sklearn_model(start.vectorizers, classifier, labels, settings)
    refitted.settings = start.settings | {"C": settings.C, "max_iter": settings.max_iter, "tol": settings.tol}
    return refitted


def _check_targets(targets: Sequence[str], labels: list[str]) -> None:
    missing = set(targets) - set(labels)
    if missing:
        raise ValueError(f"targets carry labels not in the label list: {sorted(missing)}")
    if len(set(targets)) < 2:
        raise ValueError("the linear model needs at least two classes in its training data")

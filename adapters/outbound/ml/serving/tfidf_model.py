"""The served TF-IDF + logistic-regression model: scikit-learn's own vectorizers, rebuilt from pickle-free files.

Why: the linear model is the cheap, strong half of the hybrid, and it sees whole tickets where the transformer
truncates them. scikit-learn objects can only be persisted by pickling, which we refuse (a model folder must never
be able to run code on load), so the fitted state is saved as data: per-vectorizer analyzer settings, vocabulary
and idf in `tfidf.json`, coefficients and intercepts in `linear.safetensors`. Loading builds `TfidfVectorizer`s
with `make_vectorizer` (the same factory training fits with) and sets their `vocabulary_` and `idf_` from the
files, so serving cuts and weighs text exactly as training did, by construction. The class scores are the
logistic regression's softmax (or sigmoid for two classes), computed with numpy from the saved coefficients.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TFIDF_FILE = "tfidf.json"
WEIGHTS_FILE = "linear.safetensors"
_FORMAT = 1


def make_vectorizer(
    analyzer: str,
    ngram_range: tuple[int, int],
    sublinear_tf: bool,
    min_df: int = 1,
    max_features: int | None = None,
) -> Any:
    """An unfitted `TfidfVectorizer`; every other setting is scikit-learn's default (lower-casing, token pattern,
    l2 norm, smooth idf), which is why only these three are saved. `min_df`/`max_features` matter for fitting only."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer  # deferred: seconds of import time

    if analyzer not in ("word", "char_wb"):
        raise ValueError(f"unsupported analyzer {analyzer!r}")
    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngram_range,
        sublinear_tf=sublinear_tf,
        min_df=min_df,
        max_features=max_features,
        dtype=np.float64,
    )


@dataclass
class TfidfLinearModel:
    """Fitted vectorizers (one feature block each, stacked left to right) and the linear layer over them."""

    labels: list[str]
    vectorizers: list[Any]  # fitted sklearn TfidfVectorizer
    coef: Any  # numpy (n_classes or 1, n_features)
    intercept: Any  # numpy (n_classes or 1,)
    settings: dict[str, Any] = field(default_factory=dict)
    _names: tuple[Any, Any] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import numpy as np

        # Column-major, so `coef.T` in `predict_proba_features` is a C-contiguous view: with the row-major array
        # scipy copied all of it (classes x features) for every call, most of a single ticket's linear cost.
        self.coef = np.asfortranarray(self.coef)

    def transform(self, texts: Sequence[str]) -> Any:
        """The TF-IDF matrix (CSR), one l2-normalised block per vectorizer, stacked left to right."""
        import scipy.sparse as sp

        return sp.hstack([vectorizer.transform(list(texts)) for vectorizer in self.vectorizers], format="csr")

    def predict_proba(self, texts: Sequence[str]) -> Any:
        """Class probabilities in `labels` order, as scikit-learn's LogisticRegression.predict_proba gives them."""
        import numpy as np

        if not texts:
            return np.zeros((0, len(self.labels)))
        return self.predict_proba_features(self.transform(texts))

    def predict_proba_features(self, features: Any) -> Any:
        """`predict_proba` of texts already cut by `transform` (so one cut can also serve `reasons`)."""
        import numpy as np

        scores = np.asarray(features @ self.coef.T) + self.intercept
        if scores.shape[1] == 1:  # binary logistic regression keeps one coefficient row
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def reasons(self, features: Any, label_indices: Sequence[int], top: int = 5) -> list[tuple[str, ...]]:
        """Per row of `features` (from `transform`), the word n-grams of the text that pushed most towards the
        label at `label_indices[row]`: contribution = the label's coefficient for the n-gram times the n-gram's
        tf-idf weight in this text; positive contributions only, strongest first (ties by n-gram), at most `top`.

        Only word-analyzer blocks give reasons: a character n-gram is no word a person would recognise.
        """
        import numpy as np

        names, readable = self._feature_names()
        features = features.tocsr()
        coef = self.coef
        result: list[tuple[str, ...]] = []
        for row, label in enumerate(label_indices):
            start, end = features.indptr[row], features.indptr[row + 1]
            columns, weights = features.indices[start:end], features.data[start:end]
            keep = readable[columns]
            columns, weights = columns[keep], weights[keep]
            if coef.shape[0] == 1:  # binary: the one row speaks for label 1, its negation for label 0
                slopes = coef[0, columns] if label == 1 else -coef[0, columns]
            else:
                slopes = coef[label, columns]
            contributions = np.asarray(slopes * weights, dtype=np.float64)
            pushing = [
                (-float(contributions[i]), str(names[columns[i]]))
                for i in range(len(columns))
                if contributions[i] > 0.0
            ]
            result.append(tuple(name for _, name in sorted(pushing)[:top]))
        return result

    def _feature_names(self) -> tuple[Any, Any]:
        """The name of every stacked feature column and whether it comes from a word block (computed once)."""
        import numpy as np

        if self._names is not None:
            return self._names
        blocks = [vectorizer.get_feature_names_out() for vectorizer in self.vectorizers]
        readable = [
            np.full(len(block), vectorizer.analyzer == "word")
            for vectorizer, block in zip(self.vectorizers, blocks, strict=True)
        ]
        computed = (np.concatenate(blocks), np.concatenate(readable))
        self._names = computed  # a race between threads can only compute the same names twice
        return computed

    def save(self, directory: Path) -> None:
        """Writes tfidf.json (labels, settings, each vectorizer's state) and linear.safetensors (coef, intercept)."""
        import numpy as np
        from safetensors.numpy import save_file

        directory.mkdir(parents=True, exist_ok=True)
        document = {
            "format": _FORMAT,
            "labels": self.labels,
            "settings": self.settings,
            "blocks": [_vectorizer_state(vectorizer) for vectorizer in self.vectorizers],
        }
        (directory / TFIDF_FILE).write_text(json.dumps(document), encoding="utf-8")
        save_file(
            {
                "coef": np.ascontiguousarray(self.coef, dtype=np.float64),
                "intercept": np.ascontiguousarray(self.intercept, dtype=np.float64),
            },
            str(directory / WEIGHTS_FILE),
        )

    @classmethod
    def load(cls, directory: Path) -> TfidfLinearModel:
        """Reads what `save` wrote; checks that the shapes agree so a half-copied folder fails loudly."""
        from safetensors.numpy import load_file

        document = json.loads((directory / TFIDF_FILE).read_text(encoding="utf-8"))
        if document.get("format") != _FORMAT:
            raise ValueError(f"{directory}: unsupported tfidf format {document.get('format')!r}")
        vectorizers = [_vectorizer_from_state(block) for block in document["blocks"]]
        weights = load_file(str(directory / WEIGHTS_FILE))
        model = cls(list(document["labels"]), vectorizers, weights["coef"], weights["intercept"], document["settings"])
        n_features = sum(len(vectorizer.vocabulary_) for vectorizer in vectorizers)
        if model.coef.shape[1] != n_features or model.coef.shape[0] not in (1, len(model.labels)):
            raise ValueError(f"{directory}: coef shape {model.coef.shape} does not fit {n_features} features")
        return model


def _vectorizer_state(vectorizer: Any) -> dict[str, Any]:
    """What `_vectorizer_from_state` needs to rebuild a fitted vectorizer, as JSON-able data."""
    return {
        "analyzer": str(vectorizer.analyzer),
        "ngram_range": [int(n) for n in vectorizer.ngram_range],
        "sublinear_tf": bool(vectorizer.sublinear_tf),
        "vocabulary": {str(term): int(column) for term, column in vectorizer.vocabulary_.items()},
        "idf": [float(x) for x in vectorizer.idf_],
    }


def _vectorizer_from_state(block: dict[str, Any]) -> Any:
    """A fitted `TfidfVectorizer`: the factory's settings plus the saved `vocabulary_` and `idf_`.

    `vocabulary_` must be set first: the `idf_` setter checks its length against it.
    """
    import numpy as np

    low, high = block["ngram_range"]
    vectorizer = make_vectorizer(str(block["analyzer"]), (int(low), int(high)), bool(block["sublinear_tf"]))
    vectorizer.vocabulary_ = {str(term): int(column) for term, column in block["vocabulary"].items()}
    vectorizer.idf_ = np.asarray(block["idf"], dtype=np.float64)
    return vectorizer

"""A topic classifier that needs no training: nearest label description in embedding space (CategoryClassifier).

Why: a new installation has no labelled tickets, so until a fine-tuned BERT exists the service compares the
ticket's embedding with an embedding of each label's description. Cosine similarities divided by a temperature
go through a softmax, which turns them into probabilities the routing thresholds can use. The label
descriptions are configuration (a JSON file, `default_labels.json` by default), embedded once and cached.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from application.ports.text_embedder import TextEmbedder
from domain.predictions import CategoryPrediction, Vector

DEFAULT_LABELS_PATH = Path(__file__).with_name("default_labels.json")
DEFAULT_ZERO_SHOT_VERSION = "zero-shot:minilm-l6-v2"


def load_label_descriptions(path: str | None) -> dict[str, str]:
    """Reads a JSON object of label -> description; `None` reads the eight IT topic groups bundled here."""
    source = Path(path) if path is not None else DEFAULT_LABELS_PATH
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read label descriptions from {source}: {error}") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"label descriptions in {source} are not valid JSON: {error}") from error
    return validate_label_descriptions(raw, str(source))


def validate_label_descriptions(raw: object, source: str = "label descriptions") -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{source}: expected a non-empty JSON object mapping label to description")
    descriptions: dict[str, str] = {}
    for label, description in raw.items():
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{source}: label {label!r} must be a non-empty string")
        if not isinstance(description, str) or not description.strip():
            raise ValueError(f"{source}: description of label {label!r} must be a non-empty string")
        descriptions[label.strip()] = description.strip()
    if len(descriptions) != len(raw):
        raise ValueError(f"{source}: labels must stay distinct after trimming whitespace")
    return descriptions


class EmbeddingZeroShotClassifier:
    """Probabilities from softmax(cosine(ticket, description) / temperature) over the configured labels."""

    def __init__(
        self,
        embedder: TextEmbedder,
        label_descriptions: Mapping[str, str],
        temperature: float = 0.05,
        version: str = DEFAULT_ZERO_SHOT_VERSION,
    ) -> None:
        if temperature <= 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self._descriptions = validate_label_descriptions(dict(label_descriptions))
        self._embedder = embedder
        self._temperature = temperature
        self._version = version
        self._label_vectors: list[Vector] | None = None

    @property
    def labels(self) -> list[str]:
        return list(self._descriptions)

    async def warm_up(self) -> None:
        """Embeds the label descriptions now rather than on the first ticket."""
        await self._labels_embedded()

    def is_ready(self) -> bool:
        # Embedding eight descriptions costs milliseconds once the embedder is loaded; only that load is a wait.
        return self._embedder.is_ready()

    async def classify(self, text: str) -> CategoryPrediction:
        label_vectors = await self._labels_embedded()
        (ticket,) = await self._embedder.embed([text])
        ticket = _unit(ticket)
        logits = [_dot(ticket, vector) / self._temperature for vector in label_vectors]
        scores = dict(zip(self._descriptions, _softmax(logits), strict=True))
        return CategoryPrediction.from_scores(scores, self._version)

    async def _labels_embedded(self) -> list[Vector]:
        # Two first calls racing both embed the descriptions; the result is the same, so no lock is needed.
        if self._label_vectors is None:
            vectors = await self._embedder.embed(list(self._descriptions.values()))
            self._label_vectors = [_unit(vector) for vector in vectors]
        return self._label_vectors


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(_dot(vector, vector))
    return tuple(x / norm for x in vector) if norm else vector


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(logit - top) for logit in logits]
    total = sum(exps)
    return [value / total for value in exps]

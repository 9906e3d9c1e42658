"""The labels a version answered for the test split when it was calibrated, kept in its folder.

Why: every run compares its candidate with the active version on the test split, and the split is stable (a
ticket's side is a hash of its text), so the active version faces mostly the tickets it already answered when it
was calibrated. Reading those answers back instead of running the model again saves a whole pass over the test
split in every update, where that pass is a good part of the time from a correction to a served model. A version
folder never changes once published, so the record stays true; it holds text digests, not texts, and counts only
for the serving runtime it was measured with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

RECORD_FILE = "test_predictions.json"


def record_predictions(version: Path, runtime: str, texts: Sequence[str], labels: Sequence[str]) -> None:
    """Writes the answers of the version in `version` (an unpublished folder) under `runtime`."""
    answers = {_digest(text): label for text, label in zip(texts, labels, strict=True)}
    document = {"runtime": runtime, "labels": answers}
    (version / RECORD_FILE).write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")


def predict_with_record(
    version: Path, runtime: str, texts: Sequence[str], predict: Callable[[list[str]], list[str]]
) -> list[str]:
    """One label per text: recorded answers where the version has them for `runtime`, `predict` for the rest
    (each distinct text once)."""
    answers = _recorded(version, runtime)
    missing = [text for text in dict.fromkeys(texts) if _digest(text) not in answers]
    if missing:
        answers |= {_digest(text): label for text, label in zip(missing, predict(missing), strict=True)}
    return [answers[_digest(text)] for text in texts]


def _recorded(version: Path, runtime: str) -> dict[str, str]:
    try:
        document = json.loads((version / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none recorded (an older version) or unreadable: the model answers everything
    if not isinstance(document, dict) or document.get("runtime") != runtime:
        return {}
    labels = document.get("labels")
    if not isinstance(labels, dict):
        return {}
    return {str(key): str(value) for key, value in labels.items()}


def texts_digest(texts: Sequence[str]) -> str:
    """One digest of `texts` in their order: a record keyed by it holds for exactly these texts, and no text."""
    return hashlib.sha256("\n".join(_digest(text) for text in texts).encode("ascii")).hexdigest()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

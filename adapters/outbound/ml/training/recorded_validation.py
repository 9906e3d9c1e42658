"""The transformer's int8 probabilities on the validation split, as the int8 accuracy rule measured them, kept in
the version's folder until its calibration.

Why: the rule runs the int8 graph over the validation split while training, and calibration, a moment later, ran
the version as served over that split again; on a slow CPU that second pass is a good part of an update's time
from a correction to a served model. Calibration reads the probabilities back instead, only for the runtime,
labels, max_length and exact texts (a digest of them in order, not the texts) they were measured with, and
deletes the file whatever it finds, so it is never published with the version (the store's manifest lists what
the folder holds when it is published). JSON, never pickle; an unreadable or mismatched record only costs the pass.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.outbound.ml.training.recorded_predictions import texts_digest

logger = logging.getLogger(__name__)

VALIDATION_FILE = "validation_probabilities.json"


def record_validation(
    version: Path, runtime: str, texts: Sequence[str], labels: Sequence[str], max_length: int, probabilities: Any
) -> None:
    """Writes the transformer's probabilities on `texts` (rows in `labels` order) under `runtime` in `version`."""
    document = {
        "runtime": runtime,
        "texts": texts_digest(texts),
        "labels": list(labels),
        "max_length": max_length,
        "probabilities": [[float(value) for value in row] for row in probabilities],
    }
    (version / VALIDATION_FILE).write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")


def recorded_validation(
    version: Path, runtime: str, texts: Sequence[str], labels: Sequence[str], max_length: int
) -> Any | None:
    """The recorded probabilities (a float64 numpy array, one row per text) when the record in `version` was
    measured under `runtime` on exactly `texts`, `labels` and `max_length`; otherwise None, logged with why."""
    probabilities, why = _read(version, runtime, texts, labels, max_length)
    if probabilities is None:
        logger.info("%s: the transformer runs over the validation split again (its recorded pass: %s)", version, why)
    return probabilities


def discard_validation(version: Path) -> None:
    """Deletes the record in `version`, if any."""
    (version / VALIDATION_FILE).unlink(missing_ok=True)


def _read(
    version: Path, runtime: str, texts: Sequence[str], labels: Sequence[str], max_length: int
) -> tuple[Any | None, str]:
    """The record's probabilities, or None and why they do not stand for these texts."""
    import numpy as np

    try:
        document = json.loads((version / VALIDATION_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "none recorded"
    except (OSError, ValueError) as error:
        return None, f"unreadable ({error})"
    if not isinstance(document, dict):
        return None, "not a record"
    expected = {"runtime": runtime, "texts": texts_digest(texts), "labels": list(labels), "max_length": max_length}
    for key, value in expected.items():
        if document.get(key) != value:
            return None, f"recorded for another {key} than the one served now"
    try:
        probabilities = np.asarray(document.get("probabilities"), dtype=np.float64)
    except (TypeError, ValueError):
        return None, "its probabilities are not a table of numbers"
    if probabilities.shape != (len(texts), len(labels)) or not np.all(np.isfinite(probabilities)):
        return None, f"its probabilities have shape {probabilities.shape} or are not all finite"
    return probabilities, ""

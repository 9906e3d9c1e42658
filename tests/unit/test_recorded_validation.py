"""A recorded validation pass stands in for the transformer only for exactly the texts, labels, max_length and
runtime it was measured with; anything else, or a damaged file, is no record at all."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from adapters.outbound.ml.training.recorded_validation import (
    VALIDATION_FILE,
    discard_validation,
    record_validation,
    recorded_validation,
)

TEXTS = ["printer jams", "vpn down", "mailbox full"]
LABELS = ["Access", "Hardware"]
PROBABILITIES = np.array([[0.1, 0.9], [0.7, 0.3], [0.123456789012345678, 0.876543210987654321]])


@pytest.fixture
def version(tmp_path: Path) -> Path:
    record_validation(tmp_path, "onnx-int8", TEXTS, LABELS, 64, PROBABILITIES)
    return tmp_path


def test_the_recorded_probabilities_read_back_exactly(version: Path) -> None:
    read = recorded_validation(version, "onnx-int8", TEXTS, LABELS, 64)

    assert read is not None and read.dtype == np.float64
    assert np.array_equal(read, PROBABILITIES)


@pytest.mark.parametrize(
    ("runtime", "texts", "labels", "max_length"),
    [
        ("onnx", TEXTS, LABELS, 64),
        ("onnx-int8", TEXTS[:2], LABELS, 64),
        ("onnx-int8", list(reversed(TEXTS)), LABELS, 64),
        ("onnx-int8", [*TEXTS[:2], "printer jam"], LABELS, 64),
        ("onnx-int8", TEXTS, list(reversed(LABELS)), 64),
        ("onnx-int8", TEXTS, LABELS, 128),
    ],
)
def test_a_record_of_other_texts_labels_length_or_runtime_is_no_record(
    version: Path, runtime: str, texts: list[str], labels: list[str], max_length: int
) -> None:
    assert recorded_validation(version, runtime, texts, labels, max_length) is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2]",
        '{"runtime": "onnx-int8"}',
        "\x00\xff",
    ],
)
def test_a_damaged_record_is_no_record_and_says_why(
    version: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    (version / VALIDATION_FILE).write_text(content, encoding="latin-1")

    with caplog.at_level(logging.INFO):
        assert recorded_validation(version, "onnx-int8", TEXTS, LABELS, 64) is None
    assert "runs over the validation split again" in caplog.text


@pytest.mark.parametrize(
    "table",
    [[[0.1, 0.9], [0.7, 0.3]], [[0.1, 0.9], [0.7, 0.3], [float("nan"), 1.0]], [["a", "b"]] * 3, [[0.5], [0.5, 0.5]], 7],
)
def test_a_record_whose_table_does_not_fit_its_texts_is_no_record(version: Path, table: object) -> None:
    document = json.loads((version / VALIDATION_FILE).read_text(encoding="utf-8"))
    (version / VALIDATION_FILE).write_text(json.dumps(document | {"probabilities": table}), encoding="utf-8")

    assert recorded_validation(version, "onnx-int8", TEXTS, LABELS, 64) is None


def test_the_record_holds_no_ticket_text_and_is_gone_once_discarded(version: Path) -> None:
    assert "printer" not in (version / VALIDATION_FILE).read_text(encoding="utf-8")

    discard_validation(version)
    discard_validation(version)

    assert not (version / VALIDATION_FILE).exists()
    assert recorded_validation(version, "onnx-int8", TEXTS, LABELS, 64) is None

"""ONNX export and serving of a version's classifier, on a tiny random BERT with the MiniLM tokenizer.

The ONNX graphs must give torch's probabilities (fp32 within FP32_TOLERANCE; int8 within INT8_TOLERANCE with the
same labels), and every way an ONNX file can be unusable must end with torch serving, never with no runner.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from adapters.outbound.ml.serving.onnx_classifier import (
    FP32_FILE,
    INT8_FILE,
    MANIFEST_FILE,
    ReferenceCheck,
    check_against_reference,
    load_transformer_runner,
)
from adapters.outbound.ml.training.onnx_export import (
    FP32_MIN_EMBEDDING_COSINE,
    FP32_TOLERANCE,
    INT8_MIN_ARGMAX_AGREEMENT,
    INT8_MIN_EMBEDDING_COSINE,
    INT8_TOLERANCE,
    apply_int8_accuracy_rule,
    export_onnx,
)
from tests.integration.tiny_models import tiny_classifier

LABELS = ["Access", "Hardware", "Storage"]
MAX_LENGTH = 64
TEXTS = [
    "printer not working",
    "reset my password please",
    "x",
    "the shared drive is full and nobody can save " * 20,
    "new laptop for the intern starting monday",
    "vpn drops every ten minutes when I work from home",
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT classifier saved as the trainer saves it, with its ONNX files exported."""
    folder = tiny_classifier(tmp_path_factory.mktemp("onnx") / "bert", LABELS)
    report = export_onnx(folder, MAX_LENGTH)
    assert report.refused == {}, report
    assert report.written == {"onnx": FP32_FILE, "onnx-int8": INT8_FILE}
    return folder


@pytest.fixture
def copy(exported: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bert"
    shutil.copytree(exported, target)
    return target


def test_export_writes_both_graphs_and_the_reference_beside_the_safetensors(exported: Path) -> None:
    names = {path.name for path in exported.iterdir()}
    assert {FP32_FILE, INT8_FILE, MANIFEST_FILE, "model.safetensors"} <= names
    manifest = json.loads((exported / MANIFEST_FILE).read_text())
    assert set(manifest["variants"]) == {"onnx", "onnx-int8"}
    assert manifest["variants"]["onnx"]["embedding_cosine"] >= FP32_MIN_EMBEDDING_COSINE
    assert manifest["variants"]["onnx-int8"]["embedding_cosine"] >= INT8_MIN_EMBEDDING_COSINE
    assert manifest["variants"]["onnx"]["tolerance"] == FP32_TOLERANCE
    assert manifest["variants"]["onnx-int8"]["tolerance"] == INT8_TOLERANCE


def test_onnx_fp32_gives_torch_probabilities(exported: Path) -> None:
    import numpy as np

    torch_runner = load_transformer_runner(exported, "torch", MAX_LENGTH, batch_size=4)
    onnx_runner = load_transformer_runner(exported, "onnx", MAX_LENGTH, batch_size=4, threads=1)

    assert onnx_runner.runtime == "onnx" and onnx_runner.labels == LABELS == torch_runner.labels
    expected = torch_runner.predict_probabilities(TEXTS)
    got = onnx_runner.predict_probabilities(TEXTS)
    assert got.shape == (len(TEXTS), len(LABELS))
    assert np.allclose(got.sum(axis=1), 1.0)
    assert np.max(np.abs(got - expected)) <= FP32_TOLERANCE


def test_onnx_int8_stays_within_its_tolerance_and_labels(exported: Path) -> None:
    import numpy as np

    expected = load_transformer_runner(exported, "torch", MAX_LENGTH).predict_probabilities(TEXTS)
    int8 = load_transformer_runner(exported, "onnx-int8", MAX_LENGTH, batch_size=2)

    got = int8.predict_probabilities(TEXTS)
    assert int8.runtime == "onnx-int8"
    assert np.max(np.abs(got - expected)) <= INT8_TOLERANCE
    assert np.mean(got.argmax(axis=1) == expected.argmax(axis=1)) >= INT8_MIN_ARGMAX_AGREEMENT


def test_batching_does_not_change_onnx_results(exported: Path) -> None:
    import numpy as np

    runner = load_transformer_runner(exported, "onnx", MAX_LENGTH, batch_size=64)
    sleeping = load_transformer_runner(exported, "onnx", MAX_LENGTH, batch_size=1, threads=2, spinning=False)
    together = runner.predict_probabilities(TEXTS)
    alone = np.vstack([runner.predict_probabilities([text]) for text in TEXTS])
    assert sleeping.runtime == "onnx"
    assert np.max(np.abs(together - alone)) <= FP32_TOLERANCE
    assert np.max(np.abs(together - sleeping.predict_probabilities(TEXTS))) <= FP32_TOLERANCE
    assert runner.predict_probabilities([]).shape == (0, len(LABELS))


def test_a_truncated_graph_falls_back_to_the_next_runtime(copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name in (INT8_FILE, FP32_FILE):
        graph = copy / name
        graph.write_bytes(graph.read_bytes()[: graph.stat().st_size // 3])
        with caplog.at_level(logging.WARNING):
            runner = load_transformer_runner(copy, "onnx-int8", MAX_LENGTH)
        assert runner.predict_probabilities(["printer"]).shape == (1, len(LABELS))
        assert runner.runtime == ("onnx" if name == INT8_FILE else "torch")

    assert "not serving onnx-int8" in caplog.text
    assert "serving torch instead of onnx-int8" in caplog.text


def test_a_garbage_graph_falls_back_to_torch(copy: Path) -> None:
    (copy / FP32_FILE).write_bytes(b"not an onnx model")
    assert load_transformer_runner(copy, "onnx", MAX_LENGTH).runtime == "torch"


def test_missing_graphs_fall_back_to_torch(copy: Path) -> None:
    (copy / INT8_FILE).unlink()
    assert load_transformer_runner(copy, "onnx-int8", MAX_LENGTH).runtime == "onnx"
    (copy / MANIFEST_FILE).unlink()
    assert load_transformer_runner(copy, "onnx", MAX_LENGTH).runtime == "torch"


def test_a_graph_exported_from_other_weights_falls_back_to_torch(copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    from safetensors.torch import load_file, save_file

    weights = copy / "model.safetensors"
    state = load_file(str(weights))
    state["classifier.bias"] = state["classifier.bias"] + 1.0
    save_file(state, str(weights), metadata={"format": "pt"})

    with caplog.at_level(logging.WARNING):
        runner = load_transformer_runner(copy, "onnx", MAX_LENGTH)
    assert runner.runtime == "torch"
    assert "other weights" in caplog.text


def test_a_graph_that_disagrees_with_the_reference_falls_back_to_torch(copy: Path) -> None:
    manifest_path = copy / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    manifest["reference"]["probabilities"] = [list(reversed(row)) for row in manifest["reference"]["probabilities"]]
    manifest["reference"]["probabilities"][0] = [1.0, 0.0, 0.0]
    manifest_path.write_text(json.dumps(manifest))

    assert load_transformer_runner(copy, "onnx", MAX_LENGTH).runtime == "torch"
    assert load_transformer_runner(copy, "onnx-int8", MAX_LENGTH).runtime == "torch"


def test_an_unknown_runtime_is_refused(exported: Path) -> None:
    with pytest.raises(ValueError, match="runtime"):
        load_transformer_runner(exported, "tensorrt", MAX_LENGTH)


class FixedRunner:
    """Answers each text with its row, in the order of `texts` (the reference texts)."""

    runtime = "fixed"

    def __init__(
        self,
        rows: list[list[float]],
        texts: tuple[str, ...] = ("one", "two"),
        vectors: list[list[float]] | None = None,
    ) -> None:
        self.by_text = dict(zip(texts, rows, strict=True))
        self.vectors = None if vectors is None else dict(zip(texts, vectors, strict=True))
        self.labels = ["a", "b"]
        self.calls: list[list[str]] = []

    def predict_probabilities(self, texts: list[str]) -> object:
        import numpy as np

        self.calls.append(list(texts))
        return np.asarray([self.by_text[text] for text in texts])

    def predict(self, texts: list[str]) -> tuple[object, object]:
        import numpy as np

        vectors = None if self.vectors is None else np.asarray([self.vectors[text] for text in texts])
        return self.predict_probabilities(texts), vectors


def test_reference_check_names_what_is_wrong() -> None:
    reference = {"texts": ["one", "two"], "probabilities": [[0.9, 0.1], [0.2, 0.8]]}

    assert check_against_reference(FixedRunner([[0.9, 0.1], [0.2, 0.8]]), reference, 1e-4, 1.0).ok
    far = check_against_reference(FixedRunner([[0.8, 0.2], [0.2, 0.8]]), reference, 1e-4, 1.0)
    assert not far.ok and "tolerance" in far.reason
    flipped = check_against_reference(FixedRunner([[0.9, 0.1], [0.55, 0.45]]), reference, 0.5, 1.0)
    assert flipped == ReferenceCheck(False, flipped.max_abs_diff, 0.5, flipped.reason)
    assert "same label" in flipped.reason
    wrong_shape = check_against_reference(FixedRunner([[1.0], [1.0]]), reference, 1.0, 0.0)
    assert not wrong_shape.ok


def test_reference_check_runs_each_text_alone_so_batch_mates_cannot_move_it() -> None:
    reference = {"texts": ["one", "two"], "probabilities": [[0.9, 0.1], [0.2, 0.8]]}
    runner = FixedRunner([[0.9, 0.1], [0.2, 0.8]])

    assert check_against_reference(runner, reference, 1e-4, 1.0).ok
    assert runner.calls == [["one"], ["two"]]


def test_reference_check_ignores_a_flip_on_a_near_tie() -> None:
    reference = {"texts": ["clear", "tie"], "probabilities": [[0.9, 0.1], [0.501, 0.499]]}

    check = check_against_reference(FixedRunner([[0.9, 0.1], [0.499, 0.501]], ("clear", "tie")), reference, 0.01, 1.0)

    assert check.ok and check.argmax_agreement == 1.0


def test_int8_that_loses_accuracy_is_dropped_and_fp32_serves(copy: Path) -> None:
    truth = [0, 1, 2, 0, 1, 2]

    fp32 = load_transformer_runner(copy, "onnx", MAX_LENGTH).predict_probabilities(TEXTS)
    kept = apply_int8_accuracy_rule(copy, TEXTS, truth, MAX_LENGTH, fp32, max_drop=1.0)
    assert kept["int8_kept"] and (copy / INT8_FILE).is_file()

    dropped = apply_int8_accuracy_rule(copy, TEXTS, truth, MAX_LENGTH, fp32, max_drop=-1.0)
    assert not dropped["int8_kept"]
    assert not (copy / INT8_FILE).exists()
    assert "onnx-int8" not in json.loads((copy / MANIFEST_FILE).read_text())["variants"]
    assert load_transformer_runner(copy, "onnx-int8", MAX_LENGTH).runtime == "onnx"


def test_reference_check_holds_the_text_vectors_to_torchs() -> None:
    reference = {
        "texts": ["one", "two"],
        "probabilities": [[0.9, 0.1], [0.2, 0.8]],
        "embeddings": [[1.0, 0.0], [0.0, 1.0]],
    }
    rows = [[0.9, 0.1], [0.2, 0.8]]

    assert check_against_reference(FixedRunner(rows, vectors=[[1.0, 0.0], [0.0, 1.0]]), reference, 1e-4, 1.0, 0.99).ok
    turned = check_against_reference(FixedRunner(rows, vectors=[[1.0, 0.0], [0.6, 0.8]]), reference, 1e-4, 1.0, 0.99)
    assert not turned.ok and "cosine 0.8000" in turned.reason
    missing = check_against_reference(FixedRunner(rows), reference, 1e-4, 1.0, 0.99)
    assert not missing.ok and "no embedding output" in missing.reason
    assert check_against_reference(FixedRunner(rows), reference, 1e-4, 1.0).ok  # no cosine asked: vectors unread


@pytest.mark.parametrize(
    ("runtime", "min_cosine"), [("onnx", FP32_MIN_EMBEDDING_COSINE), ("onnx-int8", INT8_MIN_EMBEDDING_COSINE)]
)
def test_each_graph_gives_the_encoders_text_vectors_from_the_same_pass(
    exported: Path, runtime: str, min_cosine: float
) -> None:
    import numpy as np

    torch_probabilities, torch_vectors = load_transformer_runner(exported, "torch", MAX_LENGTH).predict(TEXTS)
    runner = load_transformer_runner(exported, runtime, MAX_LENGTH, batch_size=4, threads=1)
    probabilities, vectors = runner.predict(TEXTS)

    assert runner.runtime == runtime
    assert np.array_equal(probabilities, runner.predict_probabilities(TEXTS))
    assert vectors.shape == torch_vectors.shape == (len(TEXTS), 32)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(vectors * torch_vectors, axis=1)) >= min_cosine
    assert np.array_equal(
        torch_probabilities, load_transformer_runner(exported, "torch", MAX_LENGTH).predict_probabilities(TEXTS)
    )


def test_a_graph_exported_without_the_vector_output_still_serves_its_probabilities(copy: Path) -> None:
    """Versions trained before graphs had an `embedding` output: they serve, and routing embeds separately."""
    import onnx

    graph_path = copy / FP32_FILE
    graph = onnx.load(str(graph_path))
    kept = [output for output in graph.graph.output if output.name != "embedding"]
    del graph.graph.output[:]
    graph.graph.output.extend(kept)
    onnx.save(graph, str(graph_path))
    manifest_path = copy / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    del manifest["reference"]["embeddings"]
    manifest_path.write_text(json.dumps(manifest))

    runner = load_transformer_runner(copy, "onnx", MAX_LENGTH)
    probabilities, vectors = runner.predict(TEXTS)
    assert runner.runtime == "onnx" and vectors is None
    assert probabilities.shape == (len(TEXTS), len(LABELS))

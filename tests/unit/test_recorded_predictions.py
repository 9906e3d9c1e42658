"""A version's recorded test answers stand in for running it again, only for the runtime they were measured with."""

from __future__ import annotations

from pathlib import Path

from adapters.outbound.ml.training.recorded_predictions import RECORD_FILE, predict_with_record, record_predictions


class CountingModel:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[str]:
        self.asked.append(texts)
        return [f"model:{text}" for text in texts]


def test_recorded_texts_are_answered_from_the_record_and_only_new_texts_reach_the_model(tmp_path: Path) -> None:
    record_predictions(tmp_path, "onnx-int8", ["printer jams", "vpn down"], ["Hardware", "Access"])
    model = CountingModel()

    answers = predict_with_record(
        tmp_path, "onnx-int8", ["vpn down", "new ticket", "printer jams", "new ticket"], model
    )

    assert answers == ["Access", "model:new ticket", "Hardware", "model:new ticket"]
    assert model.asked == [["new ticket"]], "each new text once, recorded ones never"


def test_a_record_of_another_runtime_or_none_at_all_leaves_everything_to_the_model(tmp_path: Path) -> None:
    record_predictions(tmp_path, "onnx-int8", ["printer jams"], ["Hardware"])
    model = CountingModel()

    assert predict_with_record(tmp_path, "torch", ["printer jams"], model) == ["model:printer jams"]
    (tmp_path / RECORD_FILE).write_text("{not json", encoding="utf-8")
    assert predict_with_record(tmp_path, "onnx-int8", ["printer jams"], model) == ["model:printer jams"]
    assert predict_with_record(tmp_path / "missing", "onnx-int8", [], model) == []


def test_the_record_holds_digests_not_ticket_texts(tmp_path: Path) -> None:
    record_predictions(tmp_path, "onnx-int8", ["my password is hunter2"], ["Access"])

    assert "hunter2" not in (tmp_path / RECORD_FILE).read_text(encoding="utf-8")

"""The fine-tuning settings refuse values that would make a run meaningless, naming the setting."""

from __future__ import annotations

import pytest

from tests.settings_defaults import fine_tune_config


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"precision": "fp16"}, "precision"),
        ({"frozen_layers": -1}, "frozen_layers"),
        ({"early_stop_min_delta": 1.0}, "early_stop_min_delta"),
        ({"early_stop_min_delta": -0.1}, "early_stop_min_delta"),
        ({"epochs": 0}, "epochs"),
        ({"micro_batch_size": 0}, "micro_batch_size"),
    ],
)
def test_a_meaningless_value_is_refused_by_name(changes: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        fine_tune_config(**changes)


def test_the_defaults_leave_every_layer_trainable_and_never_stop_early() -> None:
    config = fine_tune_config()

    assert config.precision == "auto"
    assert config.frozen_layers == 0
    assert config.early_stop_min_delta is None
    assert config.to_json()["precision"] == "auto"

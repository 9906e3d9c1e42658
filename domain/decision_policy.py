"""A company's decision settings: per field, whether predictions are acted on, and the precision it asks for.

Its own module, so that `companies` (which carries a policy) and `decisions` (which applies one, and reads the
routing) never import each other in a circle.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from domain.errors import InvalidInput

DEFAULT_TARGET_PRECISION = 0.95


class DecisionMode(str, enum.Enum):
    """How a company uses one field's predictions.

    - `autofill` (the default): act on a prediction when its decision is `auto`, suggest it otherwise;
    - `recommend`: never act, always suggest (every decision is `review`);
    - `monitor`: predict and record, but answer as if the feature were off (every decision is `review`, and
      `answers` is False so the caller leaves the field out of the answer).
    """

    AUTOFILL = "autofill"
    RECOMMEND = "recommend"
    MONITOR = "monitor"

    @property
    def answers(self) -> bool:
        """Whether the prediction appears in the answer at all."""
        return self is not DecisionMode.MONITOR


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """A company's decision settings.

    `category_mode` and `team_mode` are DecisionModes (their string values are accepted and converted);
    `target_precision` lies in (0, 1]; `trust_uncalibrated` lets a model without thresholds (the zero-shot
    classifier before any training) and similarity routing decide automatically. Invalid values raise
    InvalidInput naming the field.
    """

    category_mode: DecisionMode = DecisionMode.AUTOFILL
    team_mode: DecisionMode = DecisionMode.AUTOFILL
    target_precision: float = DEFAULT_TARGET_PRECISION
    trust_uncalibrated: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "category_mode", parse_mode("category_mode", self.category_mode))
        object.__setattr__(self, "team_mode", parse_mode("team_mode", self.team_mode))
        object.__setattr__(self, "target_precision", checked_target_precision(self.target_precision))
        if not isinstance(self.trust_uncalibrated, bool):
            raise InvalidInput("trust_uncalibrated", "must be true or false")


def checked_target_precision(value: object) -> float:
    """`value` as a target precision: a finite number greater than 0 and at most 1; InvalidInput otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput("target_precision", "must be a number")
    if not 0.0 < value <= 1.0:
        raise InvalidInput("target_precision", f"must be greater than 0 and at most 1 (got {value})")
    return float(value)


def parse_mode(field_name: str, value: object) -> DecisionMode:
    """A DecisionMode from its value (or itself); InvalidInput naming `field_name` for anything else."""
    try:
        return DecisionMode(value)
    except (ValueError, TypeError):
        choices = ", ".join(mode.value for mode in DecisionMode)
        raise InvalidInput(field_name, f"must be one of {choices} (got {value!r})") from None

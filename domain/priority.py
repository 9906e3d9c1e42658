"""Ticket urgency derived from the sentiment polarity of its text."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Priority(str, enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class PriorityThresholds:
    """The seed service's rule: polarity below `high_below` is high, below `medium_below` medium, else low.

    Angry or negative wording signals a user who is blocked, hence urgent.
    """

    high_below: float
    medium_below: float

    def __post_init__(self) -> None:
        if not -1.0 <= self.high_below <= self.medium_below <= 1.0:
            raise ValueError("priority thresholds must satisfy -1 <= high_below <= medium_below <= 1")

    def classify(self, polarity: float) -> Priority:
        if polarity < self.high_below:
            return Priority.HIGH
        if polarity < self.medium_below:
            return Priority.MEDIUM
        return Priority.LOW

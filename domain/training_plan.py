"""Full training or update: how much of the model a run retrains.

A full training fits everything on all the data (the first transformer training runs several epochs from the base
encoder). An update keeps what the served version already learned: the linear model is refitted on all the data,
starting from the served one's coefficients over its vocabulary (a few iterations instead of the whole descent), and the
served transformer is warm-started for one pass over the new labelled tickets plus a replay sample of older ones, a
small fraction of an epoch of the whole data set, so a correction reaches the served model in minutes. Both pass the
same promotion gate.

An update is only sound while the new tickets are few next to what the served version was fully trained on, so a
full training runs instead when the data grew by `full_growth` since the last full training, or when as many tickets
are new since the last run (relabelled tickets are new rows, so relabelling many grows nothing yet changes much: an
update would move them all into its training split and could leave its validation or test split empty), when that
training is older than `full_every`, when there is no version with a transformer to continue from, or when a person
asked.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from domain.dataset_split import DatasetSplit, Example
from domain.stored_json import JsonObject, Unreadable, required, text

T = TypeVar("T")


class PlanKind(str, enum.Enum):
    FULL = "full"
    UPDATE = "update"


@dataclass(frozen=True, slots=True)
class RetrainingPolicy:
    full_growth: float
    """A full training runs once the labelled tickets grew by this share since the last full one."""
    full_every: timedelta | None
    """A full training runs once the last one is older than this (None: never by age)."""
    replay: int
    """Older tickets an update replays beside the new ones, so the transformer does not drift towards them."""
    new_weight: int
    """How many times an update trains on each new ticket (in the transformer's pass and the linear refit): one
    correction among tens of thousands of tickets would otherwise move neither model."""

    def __post_init__(self) -> None:
        if self.new_weight < 1:
            raise ValueError("new_weight must be at least 1")


@dataclass(frozen=True, slots=True)
class TrainingPlan:
    kind: PlanKind
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, "reason": self.reason}

    @classmethod
    def from_json(cls, data: JsonObject) -> TrainingPlan:
        """The plan `to_json` wrote; raises `domain.stored_json.Unreadable` for anything else."""
        kind = required(text(data.get("kind")), "kind")
        if kind not in {member.value for member in PlanKind}:
            raise Unreadable(f"kind {kind!r} is not a plan kind")
        return cls(PlanKind(kind), required(text(data.get("reason")), "reason"))


def plan_training(
    policy: RetrainingPolicy,
    *,
    manual: bool,
    can_continue: bool,
    tickets: int,
    new_tickets: int,
    last_full_at: datetime | None,
    last_full_tickets: int,
    now: datetime,
) -> TrainingPlan:
    """`can_continue`: a version with a transformer serves or served, so an update has something to warm-start.
    `new_tickets`: the labelled tickets added since the last run that succeeded (what an update would train on)."""
    if manual:
        return TrainingPlan(PlanKind.FULL, "a person asked for a training")
    if not can_continue or last_full_at is None or last_full_tickets <= 0:
        return TrainingPlan(PlanKind.FULL, "no full training to update yet")
    growth = (tickets - last_full_tickets) / last_full_tickets
    if growth >= policy.full_growth:
        return TrainingPlan(
            PlanKind.FULL,
            f"labelled tickets grew by {growth:.0%} since the last full training (full at {policy.full_growth:.0%})",
        )
    changed = new_tickets / last_full_tickets
    if changed >= policy.full_growth:
        return TrainingPlan(
            PlanKind.FULL,
            f"{new_tickets} labelled tickets are new or relabelled since the last run, {changed:.0%} of the last full "
            f"training's (full at {policy.full_growth:.0%})",
        )
    if policy.full_every is not None and now - last_full_at >= policy.full_every:
        return TrainingPlan(PlanKind.FULL, f"the last full training is older than {policy.full_every}")
    return TrainingPlan(
        PlanKind.UPDATE, f"{tickets - last_full_tickets:+d} labelled tickets since the last full training"
    )


def replay_sample(older: Sequence[T], size: int, seed: int) -> list[T]:
    """Up to `size` of `older`, drawn without replacement by `seed` (the same run draws the same sample)."""
    if size >= len(older):
        return list(older)
    return random.Random(seed).sample(list(older), size)


def weighted(examples: Sequence[T], weight: int) -> list[T]:
    """Each of `examples` `weight` times, in order: how an update makes its new tickets count."""
    if weight < 0:
        raise ValueError("weight must not be negative")
    return [example for example in examples for _ in range(weight)]


def train_on(split: DatasetSplit, examples: Collection[Example]) -> DatasetSplit:
    """`split` with `examples` moved into train: an update learns every new ticket, wherever its hash placed it."""
    wanted = set(examples)
    moved = tuple(example for example in (*split.validation, *split.test) if example in wanted)
    if not moved:
        return split
    return DatasetSplit(
        train=split.train + moved,
        validation=tuple(example for example in split.validation if example not in wanted),
        test=tuple(example for example in split.test if example not in wanted),
        train_only_labels=split.train_only_labels,
    )

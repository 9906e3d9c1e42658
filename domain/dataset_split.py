"""The stratified train/validation/test split used by every retraining, reproducible by its seed."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

MIN_EXAMPLES_TO_EVALUATE = 3
"""A label needs this many examples to place one in each split; rarer labels train only (see `split_dataset`)."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str


@dataclass(frozen=True, slots=True)
class DatasetSplit:
    train: tuple[Example, ...]
    validation: tuple[Example, ...]
    test: tuple[Example, ...]
    train_only_labels: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({example.label for example in self.train}))


def split_dataset(
    examples: Sequence[Example], validation_share: float = 0.1, test_share: float = 0.1, seed: int = 42
) -> DatasetSplit:
    """Splits each label's examples by the shares, so every split keeps the label mix.

    Rule for rare labels: a label with fewer than MIN_EXAMPLES_TO_EVALUATE examples goes to training only (it
    is still learned, but cannot be measured) and is listed in `train_only_labels`. Every label that can be
    evaluated gets at least one validation and one test example.
    """
    if not 0 < validation_share < 1 or not 0 < test_share < 1 or validation_share + test_share >= 1:
        raise ValueError("validation_share and test_share must be in (0, 1) and sum to less than 1")
    by_label: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    rng = random.Random(seed)
    train: list[Example] = []
    validation: list[Example] = []
    test: list[Example] = []
    train_only: list[str] = []
    for label in sorted(by_label):
        group = sorted(by_label[label], key=lambda example: example.text)
        rng.shuffle(group)
        if len(group) < MIN_EXAMPLES_TO_EVALUATE:
            train.extend(group)
            train_only.append(label)
            continue
        n_test = max(1, round(len(group) * test_share))
        n_validation = max(1, round(len(group) * validation_share))
        test.extend(group[:n_test])
        validation.extend(group[n_test : n_test + n_validation])
        train.extend(group[n_test + n_validation :])
    rng.shuffle(train)
    return DatasetSplit(tuple(train), tuple(validation), tuple(test), tuple(train_only))

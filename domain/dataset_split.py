"""The train/validation/test split used by every retraining: stratified, reproducible, and stable over time.

Why stable: each retraining warm-starts from the active model and then compares the candidate with it on the
test split. If adding tickets reshuffled the split, tickets the active model trained on yesterday would sit in
today's test split and flatter both models. So a ticket's split is decided by a hash of (seed, its text) alone:
it stays in the same split in every later retraining, and identical texts always land together.
"""

from __future__ import annotations

import hashlib
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
    """Places each example by a uniform hash u of (seed, text): test if u < test_share, validation if
    u < test_share + validation_share, else train. Within every label the shares hold in expectation.

    Rules for small labels:
    - a label with fewer than MIN_EXAMPLES_TO_EVALUATE examples goes to training only (it is still learned,
      but cannot be measured) and is listed in `train_only_labels`;
    - an evaluable label whose hashes leave test, validation or train empty fills it from its largest split,
      lowest-hash training example first. Lending is stable while the label has a natural training example:
      an example that was trained on is never lent to test or validation later. Only labels with a handful
      of examples (and a train-only label that becomes evaluable) can see an example change sides.
    """
    if not 0 < validation_share < 1 or not 0 < test_share < 1 or validation_share + test_share >= 1:
        raise ValueError("validation_share and test_share must be in (0, 1) and sum to less than 1")
    by_label: dict[str, list[tuple[float, Example]]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append((_unit_hash(seed, example.text), example))
    train: list[tuple[float, Example]] = []
    validation: list[Example] = []
    test: list[Example] = []
    train_only: list[str] = []
    for label in sorted(by_label):
        group = sorted(by_label[label], key=lambda pair: (pair[0], pair[1].text))
        if len(group) < MIN_EXAMPLES_TO_EVALUATE:
            train.extend(group)
            train_only.append(label)
            continue
        label_test = [pair for pair in group if pair[0] < test_share]
        label_validation = [pair for pair in group if test_share <= pair[0] < test_share + validation_share]
        label_train = [pair for pair in group if pair[0] >= test_share + validation_share]
        for needy in (label_test, label_validation, label_train):
            if not needy:
                needy.append(_lend(label_train, label_validation, label_test))
        test.extend(example for _, example in label_test)
        validation.extend(example for _, example in label_validation)
        train.extend(label_train)
    # Hash order interleaves the labels, so training never sees one label's examples in a block.
    train.sort(key=lambda pair: (pair[0], pair[1].text))
    return DatasetSplit(tuple(e for _, e in train), tuple(validation), tuple(test), tuple(train_only))


def _lend(
    train: list[tuple[float, Example]], validation: list[tuple[float, Example]], test: list[tuple[float, Example]]
) -> tuple[float, Example]:
    """Takes one example from the largest split (training first on ties): the lowest-hash training example,
    or the highest-hash one of validation/test, so the choice is the same whenever the label is unchanged."""
    donor = max((train, validation, test), key=len)
    return donor.pop(0) if donor is train else donor.pop()


def _unit_hash(seed: int, text: str) -> float:
    """A uniform number in [0, 1) fixed by seed and text (blake2b, so it does not vary between processes)."""
    digest = hashlib.blake2b(f"{seed}\x00{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64

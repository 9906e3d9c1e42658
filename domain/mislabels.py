"""Labelled tickets whose given label looks wrong: which are listed, and what an admin decided about each.

An out-of-fold model (one that never trained on the ticket it scores) gives every labelled ticket a probability
for each label. A ticket is a candidate when that model proposes another label; candidates rank by the
probability of the label they were given, lowest (most unlikely) first. An admin then confirms the given
label, changes it to another, or excludes the ticket from training; each resolution records who made it.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import InvalidInput
from domain.labelled_tickets import MAX_LABEL_LENGTH

DEFAULT_MAX_CANDIDATES = 500
"""Candidates stored per training run: enough to work through, few enough to keep the table small."""

DEFAULT_MAX_GIVEN_PROBABILITY = 0.5
"""A ticket whose given label the model still finds at least this likely is not listed."""


class Resolution(str, enum.Enum):
    CONFIRMED = "confirmed"
    """The given label is right after all; the ticket stays as it is."""
    CHANGED = "changed"
    """The label was wrong; the labelled ticket now carries the new one."""
    EXCLUDED = "excluded"
    """The ticket is taken out of training (ambiguous, junk, or not worth the argument)."""


@dataclass(frozen=True, slots=True)
class LabelJudgement:
    """What an out-of-fold model thinks of one labelled ticket's label."""

    labelled_ticket_id: int
    given_label: str
    proposed_label: str
    """The label the model finds most likely (may equal `given_label`)."""
    given_probability: float
    """The model's probability of the given label, in [0, 1]."""


@dataclass(frozen=True, slots=True)
class MislabelCandidate:
    training_run_id: int
    labelled_ticket_id: int
    given_label: str
    proposed_label: str
    given_probability: float
    resolution: Resolution | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    id: int | None = None

    @property
    def resolved(self) -> bool:
        return self.resolution is not None

    def resolve(self, resolution: Resolution, by: str, at: datetime) -> MislabelCandidate:
        """The candidate with its resolution recorded; a resolved candidate cannot be resolved again."""
        if self.resolution is not None:
            raise InvalidInput("candidate", f"was already {self.resolution.value} by {self.resolved_by}")
        if not by.strip():
            raise InvalidInput("by", "must name who resolved the candidate")
        return replace(self, resolution=resolution, resolved_by=by, resolved_at=at)


def select_candidates(
    judgements: Iterable[LabelJudgement],
    training_run_id: int,
    limit: int = DEFAULT_MAX_CANDIDATES,
    max_given_probability: float = DEFAULT_MAX_GIVEN_PROBABILITY,
) -> list[MislabelCandidate]:
    """The tickets listed for a run: the model proposes another label and gives the given one less than
    `max_given_probability`; lowest given probability first (ties by ticket id), at most `limit` of them."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    doubtful = [
        j for j in judgements if j.proposed_label != j.given_label and j.given_probability < max_given_probability
    ]
    doubtful.sort(key=lambda j: (j.given_probability, j.labelled_ticket_id))
    return [
        MislabelCandidate(training_run_id, j.labelled_ticket_id, j.given_label, j.proposed_label, j.given_probability)
        for j in doubtful[:limit]
    ]


def candidates_per_label(candidates: Iterable[MislabelCandidate]) -> dict[str, int]:
    """How many candidates each given label has, labels in alphabetical order (the run's metric)."""
    counts = Counter(candidate.given_label for candidate in candidates)
    return {label: counts[label] for label in sorted(counts)}


def validated_new_label(label: object, known_labels: Sequence[str] | None = None) -> str:
    """The label an admin changes a ticket to: non-empty, at most MAX_LABEL_LENGTH characters, trimmed."""
    if not isinstance(label, str) or not label.strip():
        raise InvalidInput("new_label", "must be a non-empty string")
    trimmed = label.strip()
    if len(trimmed) > MAX_LABEL_LENGTH:
        raise InvalidInput("new_label", f"must be at most {MAX_LABEL_LENGTH} characters")
    if known_labels is not None and trimmed not in known_labels:
        raise InvalidInput("new_label", "must be one of the labels of the training data")
    return trimmed

"""What a team is known to take: its description, read by the served model, and the tickets people confirmed for it.

A team described in one sentence is routed by what that sentence reads as, which depends on how someone happened
to word it. People's confirmed choices ("this ticket belongs to that team", given with feedback) are evidence that
does not: each one pulls the team's derived category towards the confirmed ticket's category and the team's
vector towards the ticket's vector. The description counts as `prior` tickets' worth, so the evidence's weight is
n / (n + prior): the first confirmation already counts as much as the description, and a few outweigh it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.predictions import Vector


@dataclass(frozen=True, slots=True)
class TeamEvidence:
    """A ticket a person confirmed as this team's (feedback with `team_id`), with the category it was given."""

    text: str
    category: str


@dataclass(frozen=True, slots=True)
class DerivedCategory:
    """The category a team without one of its own is taken to own: the best label of the blend of its description's
    reading and its evidence's categories, its share, and the runner-up (None when no other label has any share)."""

    label: str
    confidence: float
    runner_up: str | None
    runner_up_confidence: float
    evidence: int
    """How many confirmed tickets went into it."""
    shares: tuple[tuple[str, float], ...] = ()
    """Every label's share of the blend, largest first (what `label_owners` compares across teams)."""
    confirmed: tuple[str, ...] = ()
    """The categories of its evidence: people confirmed the team takes them."""

    @property
    def margin(self) -> float:
        return self.confidence - self.runner_up_confidence

    def is_weak(self, confidence_min: float, margin_min: float) -> bool:
        """Weak: a person should look at it (DERIVED_CONFIDENCE_MIN, DERIVED_MARGIN_MIN)."""
        return self.confidence < confidence_min or self.margin < margin_min


def evidence_weight(count: int, prior: float) -> float:
    """The share of `count` confirmed tickets against a description worth `prior` tickets."""
    if count <= 0:
        return 0.0
    return count / (count + max(prior, 0.0))


def derive_category(
    description_scores: Mapping[str, float], evidence: Sequence[TeamEvidence], prior: float
) -> DerivedCategory:
    """Blends the served model's scores for the description with the evidence's category shares (ties: by label)."""
    weight = evidence_weight(len(evidence), prior)
    blended: dict[str, float] = {label: (1.0 - weight) * score for label, score in description_scores.items()}
    counts = Counter(item.category for item in evidence)
    for label, count in counts.items():
        key = next((known for known in blended if known.casefold() == label.casefold()), label)
        blended[key] = blended.get(key, 0.0) + weight * count / len(evidence)
    if not blended:
        raise ValueError("a derived category needs the description's scores or some evidence")
    ranked = sorted(blended.items(), key=lambda item: (-item[1], item[0]))
    best, best_share = ranked[0]
    runner_up, runner_share = ranked[1] if len(ranked) > 1 and ranked[1][1] > 0 else (None, 0.0)
    confirmed = tuple(dict.fromkeys(item.category for item in evidence))
    return DerivedCategory(best, best_share, runner_up, runner_share, len(evidence), tuple(ranked), confirmed)


def label_owners(derived: Mapping[int, DerivedCategory], share_min: float) -> dict[int, tuple[str, ...]]:
    """Which labels each team takes: every label goes to the one team whose blend gives it the largest share (ties:
    the lowest id), if that share is at least `share_min` (TEAM_LABEL_SHARE_MIN); and a team also takes every
    label people confirmed tickets of for it (several owners of a label are told apart by similarity).

    Why not each team's best label: teams described alike all read as the same label, and a label that is no
    team's best has no owner at all; compared label by label, every label the teams' texts speak of has exactly
    one owner, the team that speaks of it most. A person's confirmation outranks any reading of a text.
    """
    best: dict[str, tuple[float, int]] = {}
    for team_id in sorted(derived):
        for label, share in derived[team_id].shares:
            key = label.casefold()
            if share >= share_min and share > 0 and (key not in best or share > best[key][0]):
                best[key] = (share, team_id)
    owned: dict[int, list[str]] = {}
    for team_id in sorted(derived):
        confirmed = {label.casefold() for label in derived[team_id].confirmed}
        for label, _ in derived[team_id].shares:
            key = label.casefold()
            if best.get(key, (0.0, None))[1] == team_id or key in confirmed:
                owned.setdefault(team_id, []).append(label)
    return {team_id: tuple(labels) for team_id, labels in owned.items()}


def blend_vectors(description: Vector | None, evidence: Sequence[Vector], prior: float) -> Vector | None:
    """The team's routing vector: the unit-length blend of its description's vector and the mean of its evidence's
    vectors, weighted as `evidence_weight`. None when the description has no vector."""
    if description is None:
        return None
    usable = [vector for vector in evidence if len(vector) == len(description)]
    if not usable:
        return description
    weight = evidence_weight(len(usable), prior)
    mean = [sum(values) / len(usable) for values in zip(*usable, strict=True)]
    blended = [(1.0 - weight) * d + weight * e for d, e in zip(_unit(description), _unit(mean), strict=True)]
    return tuple(_unit(blended))


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector] if norm else list(vector)

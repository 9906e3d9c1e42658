"""Which team takes a ticket: the seed's rules, made explicit and explainable."""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.predictions import CategoryPrediction, Vector

if TYPE_CHECKING:  # companies carry a DecisionPolicy, whose module needs this one
    from domain.companies import Team


class RoutingReason(str, enum.Enum):
    CATEGORY_MATCH = "category_match"
    SIMILARITY = "similarity"
    BELOW_SIMILARITY_THRESHOLD = "below_similarity_threshold"
    NO_TEAMS = "no_teams"
    HUMAN_LABEL = "human_label"
    """The team owning the category a person gave this exact text earlier (see domain.human_labels)."""


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    """`category_confidence_min` is BERT_CONF_MIN, `similarity_min` is SIM_MIN."""

    category_confidence_min: float = 0.5
    similarity_min: float = 0.1


@dataclass(frozen=True, slots=True)
class TeamAssignment:
    assigned_team_id: int | None
    need_admin: bool
    similarity_score: float | None
    reason: RoutingReason


def cosine_similarity(a: Vector, b: Vector) -> float:
    if len(a) != len(b) or not a:
        return 0.0
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def route_ticket(
    ticket_embedding: Vector,
    teams: Sequence[Team],
    prediction: CategoryPrediction | None,
    policy: RoutingPolicy,
) -> TeamAssignment:
    """A confident category owned by a team wins; else the most similar team above the floor; else an admin."""
    if not teams:
        return TeamAssignment(None, True, None, RoutingReason.NO_TEAMS)
    scored = sorted(
        ((cosine_similarity(ticket_embedding, team.embedding), team) for team in teams),
        key=lambda pair: (-pair[0], pair[1].id or 0),
    )
    if prediction is not None and prediction.confidence >= policy.category_confidence_min:
        for similarity, team in scored:
            if team.category is not None and team.category.casefold() == prediction.label.casefold():
                return TeamAssignment(team.id, False, round(similarity, 6), RoutingReason.CATEGORY_MATCH)
    best_similarity, best_team = scored[0]
    if best_similarity >= policy.similarity_min:
        return TeamAssignment(best_team.id, False, round(best_similarity, 6), RoutingReason.SIMILARITY)
    return TeamAssignment(None, True, round(best_similarity, 6), RoutingReason.BELOW_SIMILARITY_THRESHOLD)

"""Which team takes a ticket: the seed's rules, made explicit and explainable."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.companies import Team
from domain.predictions import CategoryPrediction, Vector

DerivedLabels = Mapping[int, str | tuple[str, ...]]
"""Team id -> the label, or labels, a team without a category of its own takes by what its text reads as."""


class RoutingReason(str, enum.Enum):
    CATEGORY_MATCH = "category_match"
    DERIVED_CATEGORY_MATCH = "derived_category_match"
    """The team has no category of its own; the served model gave its name and description this category."""
    SIMILARITY = "similarity"
    BELOW_SIMILARITY_THRESHOLD = "below_similarity_threshold"
    NO_TEAMS = "no_teams"
    HUMAN_LABEL = "human_label"
    """The team owning the category a person gave this exact text earlier (see domain.human_labels)."""


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    """`category_confidence_min` is BERT_CONF_MIN, `similarity_min` is SIM_MIN, `evidence_prior` is
    TEAM_EVIDENCE_PRIOR (what a team's description weighs against its confirmed tickets, see domain.team_evidence),
    `label_share_min` is TEAM_LABEL_SHARE_MIN (the least share of a label a team's reading must give it to take it,
    see domain.team_evidence.label_owners)."""

    category_confidence_min: float
    similarity_min: float
    evidence_prior: float
    label_share_min: float


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
    ticket_embedding: Vector | None,
    teams: Sequence[Team],
    prediction: CategoryPrediction | None,
    policy: RoutingPolicy,
    derived_categories: DerivedLabels | None = None,
) -> TeamAssignment:
    """A confident category owned by a team wins (a team's own category before a category derived from its
    text); else the most similar team above the floor; else an admin.

    `derived_categories` maps the id of a team without a category to the category (or the categories) the served
    model reads its text and evidence as (`domain.team_evidence.label_owners`). `ticket_embedding` may be None
    when `needs_embedding` says the rule will not read it; a category match then carries no similarity score.
    """
    if not teams:
        return TeamAssignment(None, True, None, RoutingReason.NO_TEAMS)
    owners, reason = category_owners(teams, prediction, policy, derived_categories)
    if len(owners) == 1 and ticket_embedding is None:
        return TeamAssignment(owners[0].id, False, None, reason)
    if ticket_embedding is None:
        raise ValueError("routing needs the ticket's embedding: see needs_embedding")
    if owners:  # several teams own the category: the most similar of them takes it
        similarity, team = _most_similar(ticket_embedding, owners)
        return TeamAssignment(team.id, False, round(similarity, 6), reason)
    best_similarity, best_team = _most_similar(ticket_embedding, teams)
    if best_similarity >= policy.similarity_min:
        return TeamAssignment(best_team.id, False, round(best_similarity, 6), RoutingReason.SIMILARITY)
    return TeamAssignment(None, True, round(best_similarity, 6), RoutingReason.BELOW_SIMILARITY_THRESHOLD)


def needs_embedding(
    teams: Sequence[Team],
    prediction: CategoryPrediction | None,
    policy: RoutingPolicy,
    derived_categories: DerivedLabels | None = None,
) -> bool:
    """Whether `route_ticket` reads the ticket's embedding: it does unless there are no teams or exactly one team
    owns the confident category (several owners are told apart by similarity)."""
    if not teams:
        return False
    owners, _ = category_owners(teams, prediction, policy, derived_categories)
    return len(owners) != 1


def category_owners(
    teams: Sequence[Team],
    prediction: CategoryPrediction | None,
    policy: RoutingPolicy,
    derived_categories: DerivedLabels | None = None,
) -> tuple[list[Team], RoutingReason]:
    """The teams owning the predicted category when the prediction is confident enough, and why: the teams whose
    own category (main or extra) it is (`category_match`) or, when none is, the teams without a category whose
    derived category it is (`derived_category_match`). No owner: an empty list (the reason is then `similarity`,
    the next rule)."""
    if prediction is None or prediction.confidence < policy.category_confidence_min:
        return [], RoutingReason.SIMILARITY
    wanted = prediction.label.casefold()
    owners = [team for team in teams if team.owns(wanted)]
    if owners:
        return owners, RoutingReason.CATEGORY_MATCH
    derived = derived_categories or {}
    owners = [
        team
        for team in teams
        if team.category is None and team.id is not None and wanted in _casefolded(derived.get(team.id, ()))
    ]
    return owners, RoutingReason.DERIVED_CATEGORY_MATCH if owners else RoutingReason.SIMILARITY


def _casefolded(labels: str | tuple[str, ...]) -> set[str]:
    return {labels.casefold()} if isinstance(labels, str) else {label.casefold() for label in labels}


def _most_similar(ticket_embedding: Vector, teams: Sequence[Team]) -> tuple[float, Team]:
    """The most similar team (ties: the lowest id) and its similarity."""
    return min(
        ((cosine_similarity(ticket_embedding, team.embedding), team) for team in teams),
        key=lambda pair: (-pair[0], pair[1].id or 0),
    )

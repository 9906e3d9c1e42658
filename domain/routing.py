"""Which team takes a ticket: the seed's rules, made explicit and explainable."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.companies import Team
from domain.predictions import CategoryPrediction, LabelScore, Vector

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
    CATEGORIES_MATCH = "categories_match"
    """No team takes a confident predicted category, but the labels one team takes (its own categories, or its
    derived ones) are, together, as likely as a confident category: the team's categories together."""


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
    """Where a ticket goes. For a team routed by category (`category_match`, `derived_category_match`,
    `categories_match`), `team_confidence` is the probability that the team is right: the sum of the prediction's
    probabilities (its label and alternatives) of the labels the team takes, and `team_label` the most likely of
    those labels; both None for any other reason (and for an assignment read back from storage)."""

    assigned_team_id: int | None
    need_admin: bool
    similarity_score: float | None
    reason: RoutingReason
    team_confidence: float | None = None
    team_label: str | None = None


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
    text); else a team whose categories together are as likely as a confident category (`category_owners`); else
    the most similar team above the floor; else an admin.

    `derived_categories` maps the id of a team without a category to the category (or the categories) the served
    model reads its text and evidence as (`domain.team_evidence.label_owners`). `ticket_embedding` may be None
    when `needs_embedding` says the rule will not read it; a category match then carries no similarity score.
    """
    if not teams:
        return TeamAssignment(None, True, None, RoutingReason.NO_TEAMS)
    owners, reason = category_owners(teams, prediction, policy, derived_categories)
    if len(owners) == 1 and ticket_embedding is None:
        return _routed_by_category(owners[0], None, reason, teams, prediction, derived_categories)
    if ticket_embedding is None:
        raise ValueError("routing needs the ticket's embedding: see needs_embedding")
    if owners:  # several teams own the category: the most similar of them takes it
        similarity, team = _most_similar(ticket_embedding, owners)
        return _routed_by_category(team, round(similarity, 6), reason, teams, prediction, derived_categories)
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
    takes the ticket by category (`category_owners`; several such teams are told apart by similarity)."""
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
    """The teams taking the predicted category when the prediction is confident enough, and why: the teams whose
    own category (main or extra) it is (`category_match`) or, when none is, the teams without a category whose
    derived category it is (`derived_category_match`).

    Else (the category is not confident enough, or no team takes it): the team whose probability
    (`team_probability`) is the highest, when it is at least the confidence minimum (`categories_match`; teams
    tied on it are all returned). No such team: an empty list (the reason is then `similarity`, the next rule).
    """
    if prediction is None:
        return [], RoutingReason.SIMILARITY
    derived = derived_categories or {}
    owned = _owned_labels(teams)
    if prediction.confidence >= policy.category_confidence_min:
        owners = [team for team in teams if _takes(team, prediction.label, owned, derived)]
        if owners:
            by_own = prediction.label.casefold() in owned
            return owners, RoutingReason.CATEGORY_MATCH if by_own else RoutingReason.DERIVED_CATEGORY_MATCH
    # A ticket read as Hardware 0.45 / Purchase 0.40 is unsure of its category, not of a team taking both.
    sums = [(share.confidence, team) for team in teams if (share := _team_share(team, prediction, owned, derived))]
    best = max((total for total, _ in sums), default=0.0)
    if best < policy.category_confidence_min:
        return [], RoutingReason.SIMILARITY
    return [team for total, team in sums if total == best], RoutingReason.CATEGORIES_MATCH


def team_probability(
    team: Team,
    teams: Sequence[Team],
    prediction: CategoryPrediction,
    derived_categories: DerivedLabels | None = None,
) -> LabelScore | None:
    """The probability that `team` (one of `teams`) is the ticket's: the sum, rounded to 6 digits, of the
    prediction's probabilities (its label and alternatives) of the labels the team takes, named by the most likely
    of them; None when it takes none of them.

    A team takes a label it owns (main or extra category); a team without a category takes a label derived for it
    that no team owns (as `category_owners` routes a confident label). Labels outside the prediction's
    alternatives are not counted, so the sum is never more than the team's full probability.
    """
    share = _team_share(team, prediction, _owned_labels(teams), derived_categories or {})
    return LabelScore(share.label, round(share.confidence, 6)) if share is not None else None


def _team_share(
    team: Team, prediction: CategoryPrediction, owned: set[str], derived: DerivedLabels
) -> LabelScore | None:
    """`team_probability`, not rounded: a team taking only the predicted label gets exactly its confidence, so the
    categories together never route a label that is not confident enough alone; teams taking the same labels get
    exactly the same sum (added in the same order), so they tie."""
    listed = (LabelScore(prediction.label, prediction.confidence), *prediction.alternatives)  # most likely first
    taken = [scored for scored in listed if _takes(team, scored.label, owned, derived)]
    if not taken:
        return None
    return LabelScore(taken[0].label, sum(scored.confidence for scored in taken))


def _routed_by_category(
    team: Team,
    similarity: float | None,
    reason: RoutingReason,
    teams: Sequence[Team],
    prediction: CategoryPrediction | None,
    derived_categories: DerivedLabels | None,
) -> TeamAssignment:
    share = team_probability(team, teams, prediction, derived_categories) if prediction is not None else None
    if share is None:
        return TeamAssignment(team.id, False, similarity, reason)
    return TeamAssignment(team.id, False, similarity, reason, share.confidence, share.label)


def _owned_labels(teams: Sequence[Team]) -> set[str]:
    """Every label some team owns as its own category, casefolded."""
    return {category.casefold() for team in teams for category in team.categories}


def _takes(team: Team, label: str, owned: set[str], derived: DerivedLabels) -> bool:
    """Whether `team` takes `label`: it owns it, or it has no category and the label is derived for it while no
    team owns it (an explicit category wins over a derived one). `owned` is `_owned_labels` of all the teams."""
    wanted = label.casefold()
    if team.owns(wanted):
        return True
    if wanted in owned or team.category is not None or team.id is None:
        return False
    return wanted in _casefolded(derived.get(team.id, ()))


def _casefolded(labels: str | tuple[str, ...]) -> set[str]:
    return {labels.casefold()} if isinstance(labels, str) else {label.casefold() for label in labels}


def _most_similar(ticket_embedding: Vector, teams: Sequence[Team]) -> tuple[float, Team]:
    """The most similar team (ties: the lowest id) and its similarity."""
    return min(
        ((cosine_similarity(ticket_embedding, team.embedding), team) for team in teams),
        key=lambda pair: (-pair[0], pair[1].id or 0),
    )

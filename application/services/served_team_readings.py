"""What the served model reads in each team's text: a category, and a text vector in the model's own space.

A team described only in words is routed far better by the category its text reads as than by comparing the
ticket's embedding with the team's, so a team without a category of its own gets the served model's label for its
text (a *derived* category). And when routing must compare a ticket with the teams, a model that gives its text
vector with its prediction (a trained version's encoder) lets the ticket be compared with the teams' vectors from
the same model: the ticket costs one transformer pass instead of two. Each team text is classified once per served
model version, and again only when either changes. The tickets people confirmed as a team's (its evidence) are
blended into both, so the routing stops hanging on how one sentence was worded (see domain.team_evidence).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from application.ports.category_classifier import CategoryClassifier
from domain.companies import Team
from domain.predictions import CategoryPrediction, Vector
from domain.team_evidence import DerivedCategory, blend_vectors, derive_category, label_owners

ReadingKey = tuple[str, tuple[tuple[str, str], ...]]
"""What a reading depends on besides the model: the team's text and its evidence (texts and categories)."""


@dataclass(frozen=True, slots=True)
class TeamReading:
    """The served model's reading of a team: the derived category of its text blended with its evidence
    (`domain.team_evidence`), and, when the model gives vectors, its text vector blended with its evidence's;
    `model_version` says which model read it. `label` is the derived category's label."""

    key: ReadingKey
    model_version: str
    derived: DerivedCategory
    embedding: Vector | None

    @property
    def label(self) -> str:
        return self.derived.label


def reading_key(team: Team) -> ReadingKey:
    return team.embedding_text(), tuple((item.text, item.category) for item in team.evidence)


class ServedTeamReadings:
    """One per process: team id -> the latest `TeamReading` of that team (at most one entry per team), and the
    served model's vectors of evidence texts (of the versions the readings came from only)."""

    def __init__(self, classifier: CategoryClassifier, evidence_prior: float) -> None:
        self._classifier = classifier
        self._prior = evidence_prior
        self._known: dict[int, TeamReading] = {}
        self._evidence_vectors: dict[tuple[str, str], Vector | None] = {}

    async def for_teams(self, teams: Sequence[Team], served_version: str | None) -> dict[int, TeamReading]:
        """The reading of every stored team, by team id.

        `served_version` is the model version that answered the tickets being routed (None when no model
        answered them, e.g. every category came from a person): a team whose reading came from another version,
        or whose text or evidence changed since, is read again (all such teams together, so a micro-batcher
        batches them; an evidence text is classified once per version). With no `served_version`, a reading from
        any version is kept.
        """
        stored = [team for team in teams if team.id is not None]
        stale = [team for team in stored if not self._is_fresh(team, served_version)]
        if stale:
            texts = [team.embedding_text() for team in stale]
            predictions = await asyncio.gather(*(self._classifier.classify(text) for text in texts))
            await self._read_evidence(stale, {p.model_version for p in predictions})
            for team, prediction in zip(stale, predictions, strict=True):
                assert team.id is not None
                self._known[team.id] = self._reading(team, prediction)
            versions = {reading.model_version for reading in self._known.values()}
            self._evidence_vectors = {k: v for k, v in self._evidence_vectors.items() if k[0] in versions}
        return {team.id: self._known[team.id] for team in stored if team.id is not None}

    async def _read_evidence(self, teams: Sequence[Team], versions: set[str]) -> None:
        """The served model's vectors of the teams' evidence texts not read yet by the versions just seen."""
        texts = list(dict.fromkeys(item.text for team in teams for item in team.evidence))
        missing = [text for text in texts if not all((version, text) in self._evidence_vectors for version in versions)]
        if not missing:
            return
        predictions = await asyncio.gather(*(self._classifier.classify(text) for text in missing))
        for text, prediction in zip(missing, predictions, strict=True):
            self._evidence_vectors[(prediction.model_version, text)] = prediction.embedding

    def _reading(self, team: Team, prediction: CategoryPrediction) -> TeamReading:
        scores = {prediction.label: prediction.confidence}
        scores.update((item.label, item.confidence) for item in prediction.alternatives)
        derived = derive_category(scores, team.evidence, self._prior)
        vectors = [self._evidence_vectors.get((prediction.model_version, item.text)) for item in team.evidence]
        embedding = blend_vectors(prediction.embedding, [v for v in vectors if v is not None], self._prior)
        return TeamReading(reading_key(team), prediction.model_version, derived, embedding)

    def _is_fresh(self, team: Team, served_version: str | None) -> bool:
        assert team.id is not None
        known = self._known.get(team.id)
        if known is None or known.key != reading_key(team):
            return False
        return served_version is None or known.model_version == served_version


def derived_categories(teams: Sequence[Team], readings: Mapping[int, TeamReading]) -> dict[int, str]:
    """Team id -> derived category, for every team without a category of its own that has a reading."""
    return {
        team.id: readings[team.id].label
        for team in teams
        if team.category is None and team.id is not None and team.id in readings
    }


def derived_owners(
    teams: Sequence[Team], readings: Mapping[int, TeamReading], share_min: float
) -> dict[int, tuple[str, ...]]:
    """Team id -> the labels it takes by its reading (`domain.team_evidence.label_owners`), among the teams without
    a category of their own that have a reading."""
    derived = {
        team.id: readings[team.id].derived
        for team in teams
        if team.category is None and team.id is not None and team.id in readings
    }
    return label_owners(derived, share_min)


def teams_in_model_space(
    teams: Sequence[Team], readings: Mapping[int, TeamReading], model_version: str
) -> list[Team] | None:
    """The teams carrying the text vectors `model_version` gave their texts, to compare with a ticket's vector from
    the same model; None unless every team has one (vectors of two models are not comparable)."""
    placed = []
    for team in teams:
        reading = readings.get(team.id) if team.id is not None else None
        if reading is None or reading.embedding is None or reading.model_version != model_version:
            return None
        placed.append(replace(team, embedding=reading.embedding))
    return placed

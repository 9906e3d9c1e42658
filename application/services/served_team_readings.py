"""What the served model reads in each team's text: a category, and a text vector in the model's own space.

A team described only in words is routed far better by the category its text reads as than by comparing the
ticket's embedding with the team's, so a team without a category of its own gets the served model's label for its
text (a *derived* category). And when routing must compare a ticket with the teams, a model that gives its text
vector with its prediction (a trained version's encoder) lets the ticket be compared with the teams' vectors from
the same model: the ticket costs one transformer pass instead of two. Each team text is classified once per served
model version, and again only when either changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from application.ports.category_classifier import CategoryClassifier
from domain.companies import Team
from domain.predictions import Vector


@dataclass(frozen=True, slots=True)
class TeamReading:
    """The served model's prediction for a team's `embedding_text()`: its label and, when the model gives one,
    its text vector; `model_version` says which model read it."""

    text: str
    model_version: str
    label: str
    embedding: Vector | None


class ServedTeamReadings:
    """One per process: team id -> the latest `TeamReading` of that team's text (at most one entry per team)."""

    def __init__(self, classifier: CategoryClassifier) -> None:
        self._classifier = classifier
        self._known: dict[int, TeamReading] = {}

    async def for_teams(self, teams: Sequence[Team], served_version: str | None) -> dict[int, TeamReading]:
        """The reading of every stored team, by team id.

        `served_version` is the model version that answered the tickets being routed (None when no model
        answered them, e.g. every category came from a person): a team whose reading came from another version,
        or whose text changed since, is classified again (all such teams together, so a micro-batcher batches
        them). With no `served_version`, a reading from any version is kept.
        """
        stored = [team for team in teams if team.id is not None]
        stale = [team for team in stored if not self._is_fresh(team, served_version)]
        if stale:
            texts = [team.embedding_text() for team in stale]
            predictions = await asyncio.gather(*(self._classifier.classify(text) for text in texts))
            for team, text, prediction in zip(stale, texts, predictions, strict=True):
                assert team.id is not None
                self._known[team.id] = TeamReading(
                    text, prediction.model_version, prediction.label, prediction.embedding
                )
        return {team.id: self._known[team.id] for team in stored if team.id is not None}

    def _is_fresh(self, team: Team, served_version: str | None) -> bool:
        assert team.id is not None
        known = self._known.get(team.id)
        if known is None or known.text != team.embedding_text():
            return False
        return served_version is None or known.model_version == served_version


def derived_categories(teams: Sequence[Team], readings: Mapping[int, TeamReading]) -> dict[int, str]:
    """Team id -> derived category, for every team without a category of its own that has a reading."""
    return {
        team.id: readings[team.id].label
        for team in teams
        if team.category is None and team.id is not None and team.id in readings
    }


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

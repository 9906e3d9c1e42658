"""Routing tickets to a company's teams: a category a team owns, a category its text reads as, or similarity.

The rule for one ticket is `domain.routing.route_ticket`; this service gathers what the rule needs for a set of
tickets at once, and only where it needs it: the served model's reading of the teams (`ServedTeamReadings`) when a
confident prediction could match a team without a category of its own, and a text vector for the tickets the rule
must compare with the teams. A ticket whose prediction carries its model's vector is compared in that model's
space, with the teams' vectors from the same model version (no second encoder pass); the rest get the embedder's
vectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from application.ports.category_classifier import CategoryClassifier
from application.ports.text_embedder import TextEmbedder
from application.services.served_team_readings import (
    ServedTeamReadings,
    TeamReading,
    derived_categories,
    teams_in_model_space,
)
from domain.companies import Team
from domain.predictions import CategoryPrediction, Vector
from domain.routing import RoutingPolicy, TeamAssignment, needs_embedding, route_ticket


class TeamRouter:
    """One per process: it keeps the served model's readings of the teams' texts between calls."""

    def __init__(self, classifier: CategoryClassifier, embedder: TextEmbedder, policy: RoutingPolicy) -> None:
        self._classifier = classifier
        self._readings = ServedTeamReadings(classifier, policy.evidence_prior)
        self._embedder = embedder
        self._policy = policy

    def can_read(self) -> bool:
        """Whether reading teams now would not wait for a model to load."""
        return self._classifier.is_ready()

    async def readings(self, teams: Sequence[Team]) -> dict[int, TeamReading]:
        """The served model's readings of the teams (derived categories with their evidence), kept from any version
        that read them last; for pages that show them."""
        return await self._readings.for_teams(teams, None)

    async def route(
        self, teams: Sequence[Team], texts: Sequence[str], predictions: Sequence[CategoryPrediction | None]
    ) -> list[TeamAssignment | None]:
        """Each ticket's assignment among `teams`, in order; `predictions[i]` is text i's category (None when
        the company does not categorise)."""
        policy = self._policy
        served = next((p.model_version for p in predictions if p is not None and p.model_version), None)
        readings: dict[int, TeamReading] = {}
        confident = [p for p in predictions if p is not None and p.confidence >= policy.category_confidence_min]
        if confident and any(team.category is None for team in teams):
            readings = await self._readings.for_teams(teams, served)
        derived = derived_categories(teams, readings)
        needed = [i for i, p in enumerate(predictions) if needs_embedding(teams, p, policy, derived)]
        with_vectors = {i: p for i in needed if (p := predictions[i]) is not None and p.embedding is not None}
        if with_vectors:
            readings = readings or await self._readings.for_teams(teams, served)
        embeddings, compared_with = _in_model_space(teams, readings, with_vectors)
        rest = [i for i in needed if i not in embeddings]
        vectors = await self._embedder.embed([texts[i] for i in rest]) if rest else []
        embeddings.update(zip(rest, vectors, strict=True))
        return [
            route_ticket(embeddings.get(index), compared_with.get(index, teams), prediction, policy, derived)
            for index, prediction in enumerate(predictions)
        ]


def _in_model_space(
    teams: Sequence[Team], readings: Mapping[int, TeamReading], predictions: Mapping[int, CategoryPrediction]
) -> tuple[dict[int, Vector], dict[int, Sequence[Team]]]:
    """For each ticket (by index) whose prediction carries its model's vector: that vector, and the teams carrying
    the same model version's vectors of their texts. A ticket whose version has not read every team is left out,
    for the embedder."""
    embeddings: dict[int, Vector] = {}
    compared_with: dict[int, Sequence[Team]] = {}
    spaces: dict[str, list[Team] | None] = {}
    for index, prediction in predictions.items():
        version = prediction.model_version
        if version not in spaces:
            spaces[version] = teams_in_model_space(teams, readings, version)
        placed = spaces[version]
        if placed is not None and prediction.embedding is not None:
            embeddings[index], compared_with[index] = prediction.embedding, placed
    return embeddings, compared_with

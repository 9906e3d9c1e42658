"""Routing tickets to a company's teams: a category a team owns, a category its text reads as, or similarity.

The rule for one ticket is `domain.routing.route_ticket`; this service gathers what the rule needs for a set of
tickets at once, and only where it needs it: the served model's reading of the teams (`ServedTeamReadings`) when a
prediction could match a team without a category of its own, and a text vector for the tickets the rule
must compare with the teams. A ticket whose prediction carries its model's vector is compared in that model's
space, with the teams' vectors from the same model version (no second encoder pass); the rest get the embedder's
vectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from application.ports.category_classifier import CategoryClassifier
from application.ports.text_embedder import TextEmbedder
from application.services.served_team_readings import (
    ServedTeamReadings,
    TeamReading,
    derived_owners,
    teams_in_model_space,
)
from domain.companies import Team
from domain.predictions import CategoryPrediction, Vector
from domain.routing import RoutingPolicy, TeamAssignment, needs_embedding, route_ticket
from domain.team_evidence import blend_vectors

_EVIDENCE_VECTORS_KEPT = 20_000
"""The embedder's vectors of evidence texts kept per process (a company keeps TEAM_EVIDENCE_PER_TEAM per team)."""


class TeamRouter:
    """One per process: it keeps the served model's readings of the teams' texts between calls."""

    def __init__(self, classifier: CategoryClassifier, embedder: TextEmbedder, policy: RoutingPolicy) -> None:
        self._classifier = classifier
        self._readings = ServedTeamReadings(classifier, policy.evidence_prior)
        self._embedder = embedder
        self._policy = policy
        self._evidence_vectors: dict[str, Vector] = {}

    def can_read(self) -> bool:
        """Whether reading teams now would not wait for a model to load."""
        return self._classifier.is_ready()

    async def readings(self, teams: Sequence[Team]) -> dict[int, TeamReading]:
        """The served model's readings of the teams (derived categories with their evidence), kept from any version
        that read them last; for pages that show them."""
        return await self._readings.for_teams(teams, None)

    async def labels_taken(self, teams: Sequence[Team]) -> dict[int, tuple[str, ...]]:
        """Team id -> the labels each team without a category of its own takes by its reading (as `route`)."""
        return derived_owners(teams, await self.readings(teams), self._policy.label_share_min)

    async def route(
        self, teams: Sequence[Team], texts: Sequence[str], predictions: Sequence[CategoryPrediction | None]
    ) -> list[TeamAssignment | None]:
        """Each ticket's assignment among `teams`, in order; `predictions[i]` is text i's category (None when
        the company does not categorise)."""
        policy = self._policy
        served = next((p.model_version for p in predictions if p is not None and p.model_version), None)
        readings: dict[int, TeamReading] = {}
        # Any prediction may reach a team by category: a confident label, or several labels a team takes together.
        if any(p is not None for p in predictions) and any(team.category is None for team in teams):
            readings = await self._readings.for_teams(teams, served)
        derived = derived_owners(teams, readings, policy.label_share_min)
        needed = [i for i, p in enumerate(predictions) if needs_embedding(teams, p, policy, derived)]
        with_vectors = {i: p for i in needed if (p := predictions[i]) is not None and p.embedding is not None}
        if with_vectors:
            readings = readings or await self._readings.for_teams(teams, served)
        embeddings, compared_with = _in_model_space(teams, readings, with_vectors)
        rest = [i for i in needed if i not in embeddings]
        vectors = await self._embedder.embed([texts[i] for i in rest]) if rest else []
        embeddings.update(zip(rest, vectors, strict=True))
        in_base_space = await self._with_evidence_vectors(teams) if rest else teams
        return [
            route_ticket(embeddings.get(index), compared_with.get(index, in_base_space), prediction, policy, derived)
            for index, prediction in enumerate(predictions)
        ]

    async def _with_evidence_vectors(self, teams: Sequence[Team]) -> Sequence[Team]:
        """The teams with their stored (embedder) vectors blended with the embedder's vectors of their evidence, as
        in the model's space (`domain.team_evidence.blend_vectors`); each evidence text is embedded once."""
        if not any(team.evidence for team in teams):
            return teams
        missing = list(dict.fromkeys(e.text for t in teams for e in t.evidence if e.text not in self._evidence_vectors))
        if missing:
            if len(self._evidence_vectors) + len(missing) > _EVIDENCE_VECTORS_KEPT:
                self._evidence_vectors.clear()  # rare: more evidence than any company keeps; start over
            vectors = await self._embedder.embed(missing)
            self._evidence_vectors.update(zip(missing, (tuple(v) for v in vectors), strict=True))
        blended = []
        for team in teams:
            found = [self._evidence_vectors[e.text] for e in team.evidence if e.text in self._evidence_vectors]
            vector = blend_vectors(team.embedding, found, self._policy.evidence_prior) if team.embedding else None
            blended.append(replace(team, embedding=vector) if vector is not None and found else team)
        return blended


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

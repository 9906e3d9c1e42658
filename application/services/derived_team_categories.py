"""The category the served model gives each team that has none of its own, so routing can match it by category.

A team described only in words is routed far better by the category its text reads as than by comparing the
ticket's embedding with the team's. The label is computed once per team text and served model version, and
computed again only when either changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from application.ports.category_classifier import CategoryClassifier
from domain.companies import Team


class DerivedTeamCategories:
    """One per process: team id -> the category the served model gives the team's `embedding_text()`.

    Only the latest text and version of each team is kept, so the cache holds at most one entry per team.
    """

    def __init__(self, classifier: CategoryClassifier) -> None:
        self._classifier = classifier
        self._known: dict[int, tuple[str, str, str]] = {}  # team id -> (team text, model version, label)

    async def for_teams(self, teams: Sequence[Team], served_version: str | None) -> dict[int, str]:
        """The derived category of every stored team without a category, by team id.

        `served_version` is the model version that answered the tickets being routed (None when no model
        answered them, e.g. every category came from a person): a team whose label came from another version,
        or whose text changed since, is classified again (all such teams together, so a micro-batcher batches
        them). With no `served_version`, a label from any version is kept.
        """
        wanted = [team for team in teams if team.category is None and team.id is not None]
        stale = [team for team in wanted if not self._is_fresh(team, served_version)]
        if stale:
            texts = [team.embedding_text() for team in stale]
            predictions = await asyncio.gather(*(self._classifier.classify(text) for text in texts))
            for team, text, prediction in zip(stale, texts, predictions, strict=True):
                assert team.id is not None
                self._known[team.id] = (text, prediction.model_version, prediction.label)
        return {team.id: self._known[team.id][2] for team in wanted if team.id is not None}

    def _is_fresh(self, team: Team, served_version: str | None) -> bool:
        assert team.id is not None
        known = self._known.get(team.id)
        if known is None or known[0] != team.embedding_text():
            return False
        return served_version is None or known[1] == served_version

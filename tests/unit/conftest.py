from __future__ import annotations

from typing import Any

import pytest

from application.services.analysis_recorder import AnalysisRecorder
from application.services.company_catalogue import CompanyCatalogue
from application.services.retraining_trigger import RetrainingTrigger
from application.services.team_router import TeamRouter
from application.use_cases.analyze_ticket import AnalysisSettings, AnalyzeTicket
from application.use_cases.trigger_retraining import TriggerRetraining
from domain.companies import Company, CompanyFlags, Team
from domain.decision_policy import DecisionPolicy
from tests.settings_defaults import analysis_settings, routing_policy
from tests.training_policies import trigger_policy
from tests.unit.fakes import (
    FakeClassifier,
    FakeEmbedder,
    FakeJobQueue,
    FakeSentiment,
    FakeUnitOfWorkFactory,
    FixedClock,
)


class World:
    """A fully wired AnalyzeTicket over fakes, with handles on every fake."""

    def __init__(
        self, threshold: int = 100, flags: CompanyFlags | None = None, policy: DecisionPolicy | None = None
    ) -> None:
        self.uow = FakeUnitOfWorkFactory()
        self.classifier = FakeClassifier()
        self.sentiment = FakeSentiment()
        self.embedder = FakeEmbedder()
        self.queue = FakeJobQueue()
        self.clock = FixedClock()
        self.policy = trigger_policy(threshold=threshold)
        self.retraining = RetrainingTrigger(self.uow, self.queue, self.clock, self.policy)
        self.trigger = TriggerRetraining(self.retraining)
        # One per process, as bootstrap builds them: shared by every AnalyzeTicket of this world.
        self.router = TeamRouter(self.classifier, self.embedder, routing_policy())
        self.recorder = AnalysisRecorder(self.retraining)
        self.analyze = self.analyze_ticket()
        store = self.uow.store
        store.companies[1] = Company(1, "Acme", flags or CompanyFlags(), policy or DecisionPolicy())
        for team_id, name, category, description in [
            (10, "Desk support", "Hardware", "laptops screens keyboards printers"),
            (11, "Identity", "Access", "passwords accounts vpn login"),
        ]:
            team = Team(team_id, 1, name, category, description)
            store.teams[team_id] = Team(
                team_id, 1, name, category, description, self.embedder._vector(team.embedding_text())
            )
        store.next_id = 100

    def teach(self, count: int = 1) -> None:
        """People labelled `count` tickets: the retraining trigger has something new to learn."""
        for n in range(count):
            self.uow.store.add_labelled(f"taught ticket {n}", "Hardware", self.clock.now())

    def analyze_ticket(
        self, settings: AnalysisSettings | None = None, catalogue: CompanyCatalogue | None = None, **extras: Any
    ) -> AnalyzeTicket:
        """AnalyzeTicket over this world's fakes, with a catalogue of its own unless given one; `extras` are its
        optional collaborators (metrics)."""
        return AnalyzeTicket(
            self.uow,
            self.classifier,
            self.sentiment,
            self.router,
            self.recorder,
            catalogue or CompanyCatalogue(),
            self.clock,
            settings or analysis_settings(),
            **extras,
        )


@pytest.fixture
def world() -> World:
    return World()

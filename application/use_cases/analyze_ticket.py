"""Categorise, prioritise and route one ticket, then store it and count it towards retraining.

The retraining steps run in the order `application.services.retraining_trigger` describes: stored and counted in
one transaction; when the count reached the threshold, the training slot is claimed and the job queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from application.ports.category_classifier import CategoryClassifier
from application.ports.clock import Clock
from application.ports.company_repository import CompanyRepository
from application.ports.human_label_repository import HumanLabelRepository
from application.ports.sentiment_analyzer import SentimentAnalyzer
from application.ports.team_repository import TeamRepository
from application.ports.text_embedder import TextEmbedder
from application.ports.unit_of_work import Transaction
from application.services.retraining_trigger import RetrainingTrigger
from domain.analysis import DEFAULT_MAX_DESCRIPTION_LENGTH, TicketAnalysis, TicketRequest
from domain.analysis_decisions import decide_analysis
from domain.errors import CompanyNotFound
from domain.human_labels import text_hash
from domain.predictions import CategoryPrediction
from domain.priority import PriorityThresholds
from domain.routing import RoutingPolicy, route_ticket


class AnalyzeUnitOfWork(Transaction, Protocol):
    """What answering an analysis reads: the company, its teams and a person's label of the same text."""

    companies: CompanyRepository
    teams: TeamRepository
    human_labels: HumanLabelRepository


logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    thresholds: PriorityThresholds = PriorityThresholds()
    routing: RoutingPolicy = RoutingPolicy()
    max_description_length: int = DEFAULT_MAX_DESCRIPTION_LENGTH


class AnalyzeTicket:
    """Categorises, prioritises and routes one ticket, decides what may be acted on without a person (the
    company's decision policy, see `domain.analysis_decisions`), records it, and fires the retraining trigger
    when due. A category a person already gave the identical text for the company answers instead of the model.
    """

    def __init__(
        self,
        uow_factory: Callable[[], AnalyzeUnitOfWork],
        classifier: CategoryClassifier,
        sentiment: SentimentAnalyzer,
        embedder: TextEmbedder,
        retraining: RetrainingTrigger,
        clock: Clock,
        settings: AnalysisSettings,
    ) -> None:
        self._uow_factory = uow_factory
        self._classifier = classifier
        self._sentiment = sentiment
        self._embedder = embedder
        self._retraining = retraining
        self._clock = clock
        self._settings = settings

    async def execute(self, description: str, company_id: int) -> TicketAnalysis:
        request = TicketRequest.validated(description, company_id, self._settings.max_description_length)
        async with self._uow_factory() as uow:
            company = await uow.companies.get(request.company_id)
            if company is None:
                raise CompanyNotFound(request.company_id)
            teams = await uow.teams.list_for_company(request.company_id) if company.flags.auto_assign else ()
            human_label = None
            if company.flags.auto_categorize:
                human_label = await uow.human_labels.get(request.company_id, text_hash(request.description))

        # The three models are independent, so they run side by side (each off the event loop).
        text = request.description
        flags = company.flags
        from_person = human_label is not None
        prediction, polarity, embeddings = await asyncio.gather(
            self._classifier.classify(text) if flags.auto_categorize and not from_person else _skipped(),
            self._sentiment.polarity(text) if flags.auto_prioritize else _skipped(),
            self._embedder.embed([text]) if flags.auto_assign and teams else _skipped(),
        )
        if human_label is not None:  # a person's label, certain by definition; no model version said it
            prediction = CategoryPrediction(human_label.category, 1.0, "")
        assignment = None
        if company.flags.auto_assign:
            embedding = embeddings[0] if embeddings else ()
            assignment = route_ticket(embedding, teams, prediction, self._settings.routing)
        decided = decide_analysis(prediction, assignment, company.policy, category_from_person=from_person)

        analysis = TicketAnalysis(
            company_id=request.company_id,
            description=request.description,
            category=prediction,
            priority=self._settings.thresholds.classify(polarity) if polarity is not None else None,
            polarity=polarity,
            assignment=decided.assignment,
            model_version=_model_version(prediction),
            created_at=self._clock.now(),
            decisions=decided.decisions,
        )
        recorded = await self._retraining.record_and_count(analysis)
        if self._retraining.is_due(recorded):
            await self._trigger_quietly()
        return recorded.analysis

    async def _trigger_quietly(self) -> None:
        """The analysis is already stored: failing the answer now would only make the platform send it twice."""
        try:
            claimed = await self._retraining.claim(manual=False)
            await self._retraining.enqueue(claimed)
        except Exception:  # noqa: BLE001 - the next analysis retries the trigger
            logger.exception("retraining trigger failed; the next analysis will try again")


async def _skipped() -> None:
    return None


def _model_version(prediction: CategoryPrediction | None) -> str | None:
    return (prediction.model_version or None) if prediction is not None else None

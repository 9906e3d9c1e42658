"""Categorise, prioritise and route tickets, then record them (stored and counted towards retraining)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from application.ports.category_classifier import CategoryClassifier
from application.ports.clock import Clock
from application.ports.human_label_repository import HumanLabelRepository
from application.ports.metrics import Metrics
from application.ports.sentiment_analyzer import SentimentAnalyzer
from application.services.analysis_recorder import AnalysisRecorder
from application.services.company_catalogue import CatalogueUnitOfWork, CompanyCatalogue, CompanyEntry
from application.services.similar_tickets import SimilarTickets
from application.services.team_router import TeamRouter
from domain.analysis import TicketAnalysis, TicketRequest
from domain.analysis_decisions import decide_analysis
from domain.errors import CompanyNotFound, InvalidInput
from domain.human_labels import HumanLabel, text_hash
from domain.predictions import CategoryPrediction
from domain.priority import PriorityThresholds

T = TypeVar("T")


class AnalyzeUnitOfWork(CatalogueUnitOfWork, Protocol):
    """What answering an analysis reads: the catalogue stamp (and, when it moved, the company and its teams) and a
    person's label of the same text."""

    human_labels: HumanLabelRepository


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """PRIORITY_HIGH_BELOW and PRIORITY_MEDIUM_BELOW, MAX_DESCRIPTION_LENGTH and ANALYZE_BATCH_MAX."""

    thresholds: PriorityThresholds
    max_description_length: int
    max_batch_size: int


class AnalyzeTicket:
    """Categorises, prioritises and routes tickets (`TeamRouter`), decides what may be acted on without a person
    (the company's decision policy, see `domain.analysis_decisions`), and records them (`AnalysisRecorder`, which
    fires the retraining trigger when due). A category a person already gave the identical text for the company
    answers instead of the model.

    Per call: one read transaction (the catalogue stamp, the company and its teams only when the stamp moved, and
    the human labels of all its texts in one read) and at most one write transaction, however many tickets it
    answers; calls recording at the same moment share that transaction. The router, the recorder and the
    catalogue are one per process (bootstrap builds them once).
    """

    def __init__(
        self,
        uow_factory: Callable[[], AnalyzeUnitOfWork],
        classifier: CategoryClassifier,
        sentiment: SentimentAnalyzer,
        router: TeamRouter,
        recorder: AnalysisRecorder,
        catalogue: CompanyCatalogue,
        clock: Clock,
        settings: AnalysisSettings,
        metrics: Metrics | None = None,
        similar: SimilarTickets | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._classifier = classifier
        self._sentiment = sentiment
        self._router = router
        self._recorder = recorder
        self._catalogue = catalogue
        self._clock = clock
        self._settings = settings
        self._metrics = metrics
        self._similar = similar

    async def execute(self, description: str, company_id: int) -> TicketAnalysis:
        request = TicketRequest.validated(description, company_id, self._settings.max_description_length)
        (answer,) = await self._answer(request.company_id, [request], batch=False)
        assert isinstance(answer, TicketAnalysis)
        return answer

    async def execute_many(self, descriptions: Sequence[str], company_id: int) -> list[TicketAnalysis | InvalidInput]:
        """One answer per description, in order: its analysis, or the `InvalidInput` that description broke (the
        others are still answered). An unknown company fails the whole call, as it does for one ticket."""
        if company_id <= 0:
            raise InvalidInput("company_id", "must be a positive integer")
        if not descriptions:
            raise InvalidInput("tickets", "must name at least one ticket")
        if len(descriptions) > self._settings.max_batch_size:
            raise InvalidInput(
                "tickets", f"must be at most {self._settings.max_batch_size} tickets (got {len(descriptions)})"
            )
        checked: list[TicketRequest | InvalidInput] = []
        for description in descriptions:
            try:
                checked.append(TicketRequest.validated(description, company_id, self._settings.max_description_length))
            except InvalidInput as error:
                checked.append(error)
        return await self._answer(company_id, checked, batch=True)

    async def _answer(
        self, company_id: int, checked: Sequence[TicketRequest | InvalidInput], batch: bool
    ) -> list[TicketAnalysis | InvalidInput]:
        started = time.perf_counter()
        requests = [item for item in checked if isinstance(item, TicketRequest)]
        async with self._uow_factory() as uow:
            entry = await self._catalogue.lookup(uow, company_id)
            if entry is None:
                raise CompanyNotFound(company_id)
            human_labels: list[HumanLabel | None] = [None] * len(requests)
            if requests and entry.company.flags.auto_categorize:
                hashes = [text_hash(request.description) for request in requests]
                known = await uow.human_labels.get_many(company_id, hashes)
                human_labels = [known.get(hashed) for hashed in hashes]
        analyses = await self._analyse(entry, requests, human_labels)
        similar = self._similar if entry.company.flags.similar_tickets else None
        if similar is None:
            recorded = await self._recorder.record(analyses)
        else:
            # In flight from the search until the index holds the tickets: the company's requests answered together
            # see each other; a request that fails on the way leaves at once and holds up nobody.
            with similar.in_flight.flight(company_id) as flight:
                analyses = await similar.attach(analyses, flight)
                recorded = await self._recorder.record(analyses)
                recorded = await similar.with_peers(recorded, flight)
                await similar.remember(recorded)
        stored = iter(recorded)
        answers = [next(stored) if isinstance(item, TicketRequest) else item for item in checked]
        if self._metrics is not None:
            self._metrics.analyses_counted(len(analyses))
            self._metrics.analyses_answered(len(analyses), time.perf_counter() - started, batch)
        return answers

    async def _analyse(
        self, entry: CompanyEntry, requests: Sequence[TicketRequest], human_labels: Sequence[HumanLabel | None]
    ) -> list[TicketAnalysis]:
        """Runs each model over every text at once, so each micro-batcher gets them together and forms full
        batches. Sentiment runs beside the classifier; the embedder runs after it, and only over the tickets whose
        routing needs a similarity the classifier gave no vector for (see `TeamRouter`), so a ticket costs one encoder
        pass."""
        company = entry.company
        flags = company.flags
        texts = [request.description for request in requests]
        to_classify = [t for t, label in zip(texts, human_labels, strict=True) if label is None]
        predicted, polarities = await asyncio.gather(
            _each(self._classifier.classify, to_classify if flags.auto_categorize else []),
            _each(self._sentiment.polarity, texts if flags.auto_prioritize else []),
        )
        model_predictions = iter(predicted)
        predictions: list[CategoryPrediction | None] = []
        for human_label in human_labels:
            if human_label is not None:  # a person's label, certain by definition; no model version said it
                predictions.append(CategoryPrediction(human_label.category, 1.0, ""))
            elif flags.auto_categorize:
                predictions.append(next(model_predictions))
            else:
                predictions.append(None)
        assignments = (
            await self._router.route(entry.teams, texts, predictions) if flags.auto_assign else [None] * len(texts)
        )
        analyses = []
        for index, request in enumerate(requests):
            prediction = predictions[index]
            polarity = polarities[index] if flags.auto_prioritize else None
            decided = decide_analysis(
                prediction, assignments[index], company.policy, category_from_person=human_labels[index] is not None
            )
            analyses.append(
                TicketAnalysis(
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
            )
        return analyses


async def _each(model: Callable[[str], Awaitable[T]], texts: Sequence[str]) -> list[T]:
    """Submits every text before awaiting any, so a micro-batcher sees them all at once."""
    return list(await asyncio.gather(*(model(text) for text in texts)))


def _model_version(prediction: CategoryPrediction | None) -> str | None:
    return (prediction.model_version or None) if prediction is not None else None

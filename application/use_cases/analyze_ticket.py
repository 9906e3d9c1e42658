"""Categorise, prioritise and route one ticket, then store it and count it towards retraining.

The retraining steps run in the order `application.services.retraining_trigger` describes: stored, counted and,
when the count reached the threshold, the training slot claimed, all in one transaction; the job queued after it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from application.ports.category_classifier import CategoryClassifier
from application.ports.clock import Clock
from application.ports.human_label_repository import HumanLabelRepository
from application.ports.metrics import Metrics
from application.ports.sentiment_analyzer import SentimentAnalyzer
from application.ports.text_embedder import TextEmbedder
from application.services.company_catalogue import CatalogueUnitOfWork, CompanyCatalogue, CompanyEntry
from application.services.group_commit import GroupCommit
from application.services.retraining_trigger import RetrainingTrigger
from application.services.served_team_readings import (
    ServedTeamReadings,
    TeamReading,
    derived_categories,
    teams_in_model_space,
)
from domain.analysis import DEFAULT_MAX_DESCRIPTION_LENGTH, TicketAnalysis, TicketRequest
from domain.analysis_decisions import decide_analysis
from domain.companies import Team
from domain.errors import CompanyNotFound, InvalidInput
from domain.human_labels import HumanLabel, text_hash
from domain.predictions import CategoryPrediction, Vector
from domain.priority import PriorityThresholds
from domain.routing import RoutingPolicy, TeamAssignment, needs_embedding, route_ticket
from domain.training import TriggerResult

T = TypeVar("T")


class AnalyzeUnitOfWork(CatalogueUnitOfWork, Protocol):
    """What answering an analysis reads: the catalogue stamp (and, when it moved, the company and its teams) and a
    person's label of the same text."""

    human_labels: HumanLabelRepository


logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    thresholds: PriorityThresholds = PriorityThresholds()
    routing: RoutingPolicy = RoutingPolicy()
    max_description_length: int = DEFAULT_MAX_DESCRIPTION_LENGTH
    max_batch_size: int = 256


class AnalyzeTicket:
    """Categorises, prioritises and routes tickets, decides what may be acted on without a person (the
    company's decision policy, see `domain.analysis_decisions`), records them, and fires the retraining trigger
    when due. A category a person already gave the identical text for the company answers instead of the model.

    Per call: one read transaction (the catalogue stamp, the company and its teams only when the stamp moved, the
    human labels) and at most one write transaction (`RetrainingTrigger.record`), however many tickets it answers;
    calls recording at the same moment share that transaction (`GroupCommit`, one per process).
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
        catalogue: CompanyCatalogue | None = None,
        metrics: Metrics | None = None,
        team_readings: ServedTeamReadings | None = None,
        group_commit: GroupCommit | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._classifier = classifier
        self._sentiment = sentiment
        self._embedder = embedder
        self._retraining = retraining
        self._clock = clock
        self._settings = settings
        self._catalogue = catalogue or CompanyCatalogue()
        self._metrics = metrics
        self._team_readings = team_readings or ServedTeamReadings(classifier)
        self._group_commit = group_commit or GroupCommit(retraining.record)

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
            if entry.company.flags.auto_categorize:
                for index, request in enumerate(requests):
                    human_labels[index] = await uow.human_labels.get(company_id, text_hash(request.description))
        analyses = await self._analyse(entry, requests, human_labels)
        recorded = await self._group_commit.record(analyses) if analyses else None
        if recorded is not None and recorded.claimed.run_id is not None:
            await self._enqueue_quietly(recorded.claimed)
        stored = iter(recorded.analyses if recorded is not None else ())
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
        routing needs a similarity the classifier gave no vector for (see `_route`), so a ticket costs one encoder
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
        assignments = await self._route(entry, texts, predictions) if flags.auto_assign else [None] * len(texts)
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

    async def _route(
        self, entry: CompanyEntry, texts: Sequence[str], predictions: Sequence[CategoryPrediction | None]
    ) -> list[TeamAssignment | None]:
        """Routes every ticket (`domain.routing.route_ticket`), deriving the categories of teams without one when
        a confident prediction could match them, and comparing a ticket with the teams only where the rule still
        needs it: in the space of the model that classified it, when that model gave the ticket's vector with its
        prediction (no second pass), else with the embedder's vectors."""
        teams, policy = entry.teams, self._settings.routing
        served = next((p.model_version for p in predictions if p is not None and p.model_version), None)
        readings: dict[int, TeamReading] = {}
        confident = [p for p in predictions if p is not None and p.confidence >= policy.category_confidence_min]
        if confident and any(team.category is None for team in teams):
            readings = await self._team_readings.for_teams(teams, served)
        derived = derived_categories(teams, readings)
        needed = [i for i, p in enumerate(predictions) if needs_embedding(teams, p, policy, derived)]
        with_vectors = {i: p for i in needed if (p := predictions[i]) is not None and p.embedding is not None}
        if with_vectors:
            readings = readings or await self._team_readings.for_teams(teams, served)
        embeddings, compared_with = _in_model_space(teams, readings, with_vectors)
        rest = [i for i in needed if i not in embeddings]
        vectors = await self._embedder.embed([texts[i] for i in rest]) if rest else []
        embeddings.update(zip(rest, vectors, strict=True))
        return [
            route_ticket(embeddings.get(index), compared_with.get(index, teams), prediction, policy, derived)
            for index, prediction in enumerate(predictions)
        ]

    async def _enqueue_quietly(self, claimed: TriggerResult) -> None:
        """The analyses are already stored: failing the answer now would only make the platform send them twice.
        A queue the broker refuses fails the run and frees the slot (`RetrainingTrigger.enqueue`)."""
        try:
            await self._retraining.enqueue(claimed)
        except Exception:  # noqa: BLE001 - the slot stays claimed until the run is reaped or times out
            logger.exception("queueing the retraining job failed")


async def _each(model: Callable[[str], Awaitable[T]], texts: Sequence[str]) -> list[T]:
    """Submits every text before awaiting any, so a micro-batcher sees them all at once."""
    return list(await asyncio.gather(*(model(text) for text in texts)))


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


def _model_version(prediction: CategoryPrediction | None) -> str | None:
    return (prediction.model_version or None) if prediction is not None else None

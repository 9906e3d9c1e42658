from __future__ import annotations

from dataclasses import dataclass

from application.ports.category_classifier import CategoryClassifier
from application.ports.job_queue import RetrainingJobQueue
from application.ports.sentiment_analyzer import SentimentAnalyzer
from application.ports.text_embedder import TextEmbedder
from application.ports.unit_of_work import StorageHealth


@dataclass(frozen=True, slots=True)
class Readiness:
    database: bool
    models: bool
    broker: bool

    @property
    def ready(self) -> bool:
        return self.database and self.models and self.broker


class CheckReadiness:
    """Ready means: the database answers, every model is loaded, and the job queue is reachable.

    The category model counts as loaded only once the registry was checked and its active version serves (see
    `SyncServedModel`), so no analysis after a restart is answered by the fallback while a trained version loads.
    """

    def __init__(
        self,
        storage: StorageHealth,
        classifier: CategoryClassifier,
        sentiment: SentimentAnalyzer,
        embedder: TextEmbedder,
        job_queue: RetrainingJobQueue,
    ) -> None:
        self._storage = storage
        self._models = (classifier, sentiment, embedder)
        self._job_queue = job_queue

    async def execute(self) -> Readiness:
        return Readiness(
            database=await self._storage.is_reachable(),
            models=all(model.is_ready() for model in self._models),
            broker=await self._job_queue.is_reachable(),
        )

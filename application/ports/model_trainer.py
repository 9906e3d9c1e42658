from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from domain.dataset_split import Example
from domain.model_versions import ModelVersion
from domain.training_runs import TrainingProgress


@dataclass(frozen=True, slots=True)
class TrainedModel:
    """A model written to the model store, not yet registered."""

    name: str
    path: str
    labels: tuple[str, ...]
    details: dict[str, object] = field(default_factory=dict)
    """Durations, steps, validation figures, whether the time budget stopped it: JSON-able."""


class ModelTrainer(Protocol):
    """Fine-tunes and runs category models stored as safetensors + JSON in the model store.

    Contract: `train` writes a complete new version folder (never touching existing ones) and returns it; it
    may warm-start from `base` when given. `on_progress` may be called from any thread and must be cheap.
    `predict` answers one label per text with the model at `path`. Both run off the event loop and raise
    on failure, leaving no half-written version behind.
    """

    async def train(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        base: ModelVersion | None,
        on_progress: Callable[[TrainingProgress], None],
    ) -> TrainedModel: ...

    async def predict(self, path: str, texts: Sequence[str]) -> list[str]: ...

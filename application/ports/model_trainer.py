from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from domain.dataset_split import Example
from domain.model_versions import ModelVersion
from domain.training_reports import CalibrationReport
from domain.training_runs import TrainingProgress


@dataclass(frozen=True, slots=True)
class TrainedModel:
    """A finished version folder in the model store's staging area: calibrated and evaluated there, then published."""

    name: str
    path: str
    """A local folder (`ModelStore.publish` consumes it)."""
    labels: tuple[str, ...]
    details: dict[str, object] = field(default_factory=dict)
    """Durations, steps, validation figures, whether the time budget stopped it: JSON-able."""
    recipe: str = "model"
    """What the version holds ("hybrid", "bert", "linear"): a run names its stage after it."""


@dataclass(frozen=True, slots=True)
class CalibratedVersion:
    """What `calibrate` measured: the calibration report and the label the version, as served, answers for each
    test ticket (in the test split's order), so the run evaluates the candidate without a second pass over test."""

    report: CalibrationReport
    test_predictions: tuple[str, ...]


class ModelTrainer(Protocol):
    """Fine-tunes and runs category models stored as safetensors + JSON in the model store.

    Contract: `train` writes a complete new version folder in the store's staging area (never touching published
    versions) and returns it. It warm-starts from the first of `warm_starts` (preferred first) that carries a
    transformer it can continue, opened through the model store, and ignores the others (a linear-only version has
    none); with none usable it starts from its default base. `reuse_linear`, when given, is the published version of
    a `train_linear` on the same splits: the new version takes its linear model as it is instead of fitting one
    again. An update passes `encoder_examples` (the new tickets and a replay sample) and `epochs` (passes over
    them): the transformer continues from the warm start on those alone while the linear model still fits all of
    `train` (starting from the warm start's linear model, whose vocabulary it keeps); without them the trainer's
    configured epochs run over `train`. `train_linear` writes a linear-only version (the TF-IDF linear model alone,
    quick to fit and to serve) as the first stage of a recipe that blends one in, and returns None when the recipe
    has no such stage (its `train` already is linear-only, or has no linear part). `on_progress` may be called from
    any thread and must be cheap. `predict` answers one label per text with the model in the local folder `path`.
    `calibrate` measures the version in `path` on the validation and test splits: it fits a temperature on
    validation and keeps it only where it lowers the test split's ECE, chooses the per-label decision thresholds
    from validation on the scale serving will answer on (calibrated or raw), measures them on test at the default
    target precision, stores the temperature and thresholds in the version folder (before it is published: a
    published version never changes) and returns the measurements with the served label of every test ticket. All
    run off the event loop and raise on failure, leaving no half-written version behind.
    """

    async def train_linear(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        on_progress: Callable[[TrainingProgress], None],
    ) -> TrainedModel | None: ...

    async def train(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels: Sequence[str],
        warm_starts: Sequence[ModelVersion],
        on_progress: Callable[[TrainingProgress], None],
        reuse_linear: ModelVersion | None = None,
        epochs: float | None = None,
        encoder_examples: Sequence[Example] | None = None,
    ) -> TrainedModel: ...

    async def predict(self, path: str, texts: Sequence[str]) -> list[str]: ...

    async def calibrate(
        self, path: str, validation: Sequence[Example], test: Sequence[Example]
    ) -> CalibratedVersion: ...

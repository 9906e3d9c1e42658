"""The retraining job: export, split, fine-tune, evaluate, register, and promote only if not worse.

Whatever happens, the run ends recorded (succeeded, skipped or failed), the training mark is cleared, and the active
model keeps serving unless a candidate at least as good (`domain.training_promotion`) replaced it. "Nothing worth
training on" is an expected outcome, returned as `Skipped`; only a real failure is an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from application.ports.clock import Clock
from application.ports.dataset_exporter import DatasetExporter
from application.ports.model_trainer import (
    CalibrationReport,
    ModelTrainer,
    TrainedModel,
)
from application.ports.unit_of_work import UnitOfWorkFactory
from application.services.mislabel_listing import MislabelListing
from application.services.training_progress import TrainingProgressRecorder
from domain.dataset_split import DatasetSplit, Example, split_dataset
from domain.labelled_tickets import LabelledTicket
from domain.metrics import EvaluationReport, evaluate
from domain.model_versions import ModelStatus, ModelVersion
from domain.training_promotion import Incumbent, PromotionDecision, decide_promotion
from domain.training_runs import RunStatus, TrainingProgress, TrainingRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetrainingSettings:
    validation_share: float = 0.1
    test_share: float = 0.1
    split_seed: int = 42
    min_tickets: int = 20
    progress_interval_s: float = 2.0


@dataclass(frozen=True, slots=True)
class Skipped:
    """Nothing worth training on; the run is recorded as skipped with this reason."""

    reason: str


class ExportTicketsAndRetrain:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        exporter: DatasetExporter,
        trainer: ModelTrainer,
        clock: Clock,
        settings: RetrainingSettings,
        mislabels: MislabelListing | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._exporter = exporter
        self._trainer = trainer
        self._clock = clock
        self._settings = settings
        self._mislabels = mislabels

    async def execute(self, run_id: int) -> TrainingRun:
        run = await self._start(run_id)
        progress = TrainingProgressRecorder(self._uow_factory, run, self._settings.progress_interval_s)
        error: str | None = None
        try:
            async with progress:
                outcome = await self._train_and_decide(run, progress)
            # A skipped run keeps the started run's fields: the ticket counts are recorded only for a trained one.
            if isinstance(outcome, Skipped):
                run = replace(run, status=RunStatus.SKIPPED, decision=outcome.reason)
            else:
                run = outcome
        except Exception as failure:  # noqa: BLE001 - any failure ends the run as failed, never the service
            logger.exception("training run %s failed", run.id)
            error = f"{type(failure).__name__}: {failure}"
            run = replace(run, status=RunStatus.FAILED, error=error)
        finished = TrainingProgress(run.status.value, 100.0, progress.latest.loss)
        run = replace(run, finished_at=self._clock.now(), progress=finished)
        async with self._uow_factory() as uow:
            await uow.training_runs.update(run)
            await uow.training_state.release(error=f"training run {run.id} failed: {error}" if error else None)
            await uow.commit()
        return run

    async def _start(self, run_id: int) -> TrainingRun:
        now = self._clock.now()
        async with self._uow_factory() as uow:
            run = await uow.training_runs.get(run_id)
            if run is None:
                # A message whose run record is gone (restored database, manual enqueue): keep a record anyway.
                orphan = TrainingRun(trigger="unknown", status=RunStatus.QUEUED, created_at=now)
                run = await uow.training_runs.add(orphan)
            run = replace(run, status=RunStatus.RUNNING, started_at=now, progress=TrainingProgress("export", 0.0))
            await uow.training_runs.update(run)
            await uow.commit()
        return run

    async def _train_and_decide(self, run: TrainingRun, progress: TrainingProgressRecorder) -> TrainingRun | Skipped:
        async with self._uow_factory() as uow:
            tickets = await uow.labelled_tickets.all_for_training()
            last = await uow.training_runs.last_succeeded()
            active = await uow.model_versions.active()
        newest = max((ticket.id or 0 for ticket in tickets), default=None)
        run = replace(run, labelled_tickets=len(tickets), newest_ticket_id=newest)
        if last is not None and newest is not None and last.newest_ticket_id == newest:
            return Skipped(f"no labelled tickets since training run {last.id}")
        split = self._split(tickets)
        if isinstance(split, Skipped):
            return split

        progress.report(TrainingProgress("export", 1.0))
        await self._exporter.export(tickets)
        progress.report(TrainingProgress("train", 5.0))
        trained = await self._trainer.train(
            split.train, split.validation, split.labels, active, lambda update: progress.report(_scaled(update))
        )
        progress.report(TrainingProgress("evaluate", 95.0))
        calibration = await self._trainer.calibrate(trained.path, split.validation, split.test)
        candidate = await self._evaluate(trained.path, split.test)
        incumbent = None if active is None else Incumbent(active.name, await self._evaluate(active.path, split.test))
        decision = decide_promotion(candidate, incumbent)
        stored = await self._register(run, split, trained, candidate, calibration, incumbent, decision, active)
        summary: dict[str, object] = {"accuracy": candidate.accuracy, "macro_f1": candidate.macro_f1,
                                      "ece": calibration.served_ece, "test_size": candidate.size,
                                      **_calibration_metrics(calibration)}
        if self._mislabels is not None and run.id is not None:
            progress.report(TrainingProgress("mislabels", 97.0))
            summary |= await self._mislabels.record(run.id, tickets)
        if incumbent is not None:
            old = incumbent.report
            summary |= {"incumbent_accuracy": old.accuracy, "incumbent_macro_f1": old.macro_f1}
        return replace(run, status=RunStatus.SUCCEEDED, model_version_id=stored.id, promoted=decision.promote,
                       decision=decision.reason, metrics=summary)

    def _split(self, tickets: Sequence[LabelledTicket]) -> DatasetSplit | Skipped:
        if len(tickets) < self._settings.min_tickets:
            return Skipped(f"only {len(tickets)} labelled tickets; at least {self._settings.min_tickets} are needed")
        split = split_dataset(
            [Example(ticket.text, ticket.category) for ticket in tickets],
            self._settings.validation_share,
            self._settings.test_share,
            self._settings.split_seed,
        )
        if len(split.labels) < 2 or not split.test:
            return Skipped("at least two categories with three or more labelled tickets each are needed")
        return split

    async def _evaluate(self, path: str, test: Sequence[Example]) -> EvaluationReport:
        predictions = await self._trainer.predict(path, [example.text for example in test])
        return evaluate([example.label for example in test], predictions)

    async def _register(
        self,
        run: TrainingRun,
        split: DatasetSplit,
        trained: TrainedModel,
        candidate: EvaluationReport,
        calibration: CalibrationReport,
        incumbent: Incumbent | None,
        decision: PromotionDecision,
        active: ModelVersion | None,
    ) -> ModelVersion:
        """Stores the version (active or rejected, as decided) and retires the active one when it is replaced."""
        now = self._clock.now()
        metrics: dict[str, object] = {
            "test": candidate.to_json(),
            "training": trained.details,
            "split": {"train": len(split.train), "validation": len(split.validation), "test": len(split.test),
                      "train_only_labels": list(split.train_only_labels)},
            **_calibration_metrics(calibration),
        }
        if incumbent is not None:
            metrics["incumbent_test"] = incumbent.report.to_json()
        version = ModelVersion(
            name=trained.name,
            path=trained.path,
            labels=tuple(trained.labels),
            status=ModelStatus.ACTIVE if decision.promote else ModelStatus.REJECTED,
            created_at=now,
            metrics=metrics,
            training_size=len(split.train),
            training_run_id=run.id,
            activated_at=now if decision.promote else None,
            note=decision.reason,
        )
        async with self._uow_factory() as uow:
            if decision.promote and active is not None:
                await uow.model_versions.update(replace(active, status=ModelStatus.RETIRED))
            stored = await uow.model_versions.add(version)
            await uow.commit()
        return stored


def _calibration_metrics(report: CalibrationReport) -> dict[str, object]:
    """The run's and the version's calibration and decision-coverage metrics (the admin pages read these keys)."""
    return {"calibration": report.calibration_json(), "decision_coverage": report.coverage_json()}


def _scaled(update: TrainingProgress) -> TrainingProgress:
    """The trainer reports 0-100 of its own work, which is 5-95 of the run."""
    return replace(update, percent=5.0 + 0.9 * max(0.0, min(100.0, update.percent)))

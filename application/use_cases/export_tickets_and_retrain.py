"""The retraining job: export, split, fine-tune, evaluate, register, and promote only if not worse.

A trainer whose recipe blends in a linear model trains in two stages: the linear model alone first, registered
and promoted at once when it is at least as good as the active model (so a fresh install serves a trained model
within minutes instead of after the transformer's fine-tuning), then the full hybrid, promoted when it is at least
as good as whatever is active by then. Both stages are recorded on the run (`RunReport.stages`); the run's top-level
fields describe the last one. Should the hybrid stage fail, the linear stage's version stays as decided and the
run is failed with the reason, so the next trigger trains again.

A run is a full training or an update (`domain.training_plan`): an update refits the linear model on all the data
and continues the served transformer on the tickets labelled since the last training plus a replay sample, in one
stage, and passes the same promotion gate. A run that ends succeeded or skipped marks the training data's
revision it was claimed for as learned, so the trigger waits for newer labels; a failed run leaves it new.

Whatever happens, the run ends recorded (succeeded, skipped or failed), the training mark is cleared, and the active
model keeps serving unless a candidate at least as good (`domain.training_promotion`) replaced it. "Nothing worth
training on" is an expected outcome, returned as `Skipped`; only a real failure is an exception.

Only a queued run is trained, and starting it is one atomic step: a message delivered twice, or delivered again
after its worker died (the run is then running with a silent heartbeat, or already abandoned), trains nothing and
says why, so two trainings never run at once. A worker killed mid-run is caught by `AbandonedRuns`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from application.ports.clock import Clock
from application.ports.dataset_exporter import DatasetExporter
from application.ports.labelled_ticket_repository import LabelledTicketRepository
from application.ports.model_store import ModelStore
from application.ports.model_trainer import ModelTrainer, TrainedModel
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.registry_changes import RegistryChanges
from application.services.abandoned_runs import AbandonedRuns, ReapUnitOfWork
from application.services.mislabel_listing import MislabelListing
from application.services.model_retention import ModelRetention
from application.services.training_progress import ProgressUnitOfWork, TrainingProgressRecorder
from domain.dataset_split import DatasetSplit, Example, split_dataset
from domain.labelled_tickets import LabelledTicket
from domain.metrics import EvaluationReport, evaluate
from domain.model_versions import ModelStatus, ModelVersion
from domain.training_plan import (
    PlanKind,
    RetrainingPolicy,
    TrainingPlan,
    plan_training,
    replay_sample,
    train_on,
    weighted,
)
from domain.training_promotion import Incumbent, PromotionDecision, decide_promotion
from domain.training_reports import CalibrationReport, RunReport, SplitSizes, VersionEvaluation
from domain.training_runs import RunStatus, TrainingProgress, TrainingRun
from domain.training_stages import HYBRID, LINEAR, UPDATE, TrainingStage

logger = logging.getLogger(__name__)

CANCELLED = "cancelled: the process running the job shut down"


class RetrainingUnitOfWork(ReapUnitOfWork, ProgressUnitOfWork, Protocol):
    """The run and the training slot (taken, reaped, released), the tickets trained on, and the model registry."""

    labelled_tickets: LabelledTicketRepository
    model_versions: ModelVersionRepository


@dataclass(frozen=True, slots=True)
class RetrainingSettings:
    policy: RetrainingPolicy
    """When a run is a full training and when an update (`domain.training_plan`)."""
    update_epochs: float
    """Passes an update's transformer makes over the new tickets and the replay sample."""
    heartbeat_grace_s: float
    """A running run whose heartbeat is older than this is abandoned (its worker died) and frees the slot."""
    validation_share: float = 0.1
    test_share: float = 0.1
    split_seed: int = 42
    min_tickets: int = 20
    progress_interval_s: float = 2.0

    @property
    def heartbeat_interval_s(self) -> float:
        """The heartbeat is written at least this often, well inside the grace period."""
        return min(30.0, self.heartbeat_grace_s / 5)


@dataclass(frozen=True, slots=True)
class Skipped:
    """Nothing worth training on; the run is recorded as skipped with this reason."""

    reason: str


@dataclass(frozen=True, slots=True)
class NotStarted:
    """The job's run was not queued (delivered twice, or again after its worker died): nothing was trained."""

    run: TrainingRun
    reason: str


def _why_not_started(run: TrainingRun) -> str:
    if run.status is RunStatus.RUNNING:
        return f"run {run.id} is already running in another worker (heartbeat {run.last_sign_of_life().isoformat()})"
    if run.status is RunStatus.ABANDONED:
        return (
            f"the job of run {run.id} was delivered again after its worker died; the run stays abandoned "
            "and a new trigger starts a fresh run"
        )
    return f"run {run.id} already ended ({run.status.value}); a job delivered twice trains once"


class ExportTicketsAndRetrain:
    def __init__(
        self,
        uow_factory: Callable[[], RetrainingUnitOfWork],
        exporter: DatasetExporter,
        trainer: ModelTrainer,
        store: ModelStore,
        clock: Clock,
        settings: RetrainingSettings,
        mislabels: MislabelListing | None = None,
        *,
        changes: RegistryChanges,
        retention: ModelRetention,
    ) -> None:
        self._uow_factory = uow_factory
        self._exporter = exporter
        self._trainer = trainer
        self._store = store
        self._clock = clock
        self._settings = settings
        self._mislabels = mislabels
        self._changes = changes
        self._retention = retention

    async def execute(self, run_id: int) -> TrainingRun:
        started = await self._start(run_id)
        if isinstance(started, NotStarted):
            logger.warning("training job for run %s trains nothing: %s", run_id, started.reason)
            return started.run
        run = started
        progress = TrainingProgressRecorder(
            self._uow_factory, run, self._settings.progress_interval_s, self._clock, self._settings.heartbeat_interval_s
        )
        error: str | None = None
        plan: TrainingPlan | None = None
        try:
            async with progress:
                outcome, plan = await self._train_and_decide(run, progress)
            # A skipped run keeps the started run's fields: the ticket counts are recorded only for a trained one.
            if isinstance(outcome, Skipped):
                run = replace(run, status=RunStatus.SKIPPED, decision=outcome.reason)
            else:
                run = outcome
                error = run.error if run.status is RunStatus.FAILED else None
        except asyncio.CancelledError:
            # The process is shutting down: the run ends failed, and its labels stay new for the next trigger.
            run = replace(run, status=RunStatus.FAILED, error=CANCELLED)
            await asyncio.shield(self._finish(run, CANCELLED, plan, progress.latest.loss))
            raise
        except Exception as failure:
            logger.exception("training run %s failed", run.id)
            error = f"{type(failure).__name__}: {failure}"
            run = replace(run, status=RunStatus.FAILED, error=error)
        return await self._finish(run, error, plan, progress.latest.loss)

    async def _finish(
        self, run: TrainingRun, error: str | None, plan: TrainingPlan | None, loss: float | None
    ) -> TrainingRun:
        """Records how the run ended, releases the trigger's slot and applies retention."""
        now = self._clock.now()
        finished = TrainingProgress(run.status.value, 100.0, loss)
        run = replace(run, finished_at=now, heartbeat_at=now, progress=finished)
        async with self._uow_factory() as uow:
            stored = await uow.training_runs.get(run.id or 0)
            await uow.training_runs.update(run)
            # A run abandoned while it was silent no longer holds the slot when another run has taken it since.
            taken = (
                stored is not None
                and stored.status is RunStatus.ABANDONED
                and bool(await uow.training_runs.unfinished())
            )
            if not taken:
                if run.status in (RunStatus.SUCCEEDED, RunStatus.SKIPPED):
                    full = run.status is RunStatus.SUCCEEDED and plan is not None and plan.kind is PlanKind.FULL
                    await uow.training_state.mark_trained(now if full else None, run.labelled_tickets)
                await uow.training_state.release(error=f"training run {run.id} failed: {error}" if error else None)
            if run.status is RunStatus.SUCCEEDED:
                await uow.training_state.clear_error()
            await uow.commit()
        await self._prune(run)
        return run

    async def _prune(self, run: TrainingRun) -> None:
        """Retention, whatever the run's outcome; a failure is logged and the next run's pass tries again."""
        try:
            await self._retention.prune()
        except Exception:
            logger.exception("retention after training run %s failed", run.id)

    async def _start(self, run_id: int) -> TrainingRun | NotStarted:
        """Takes the queued run (and with it the slot its trigger claimed), or says why this job must not train."""
        await AbandonedRuns(self._uow_factory, self._clock, timedelta(seconds=self._settings.heartbeat_grace_s)).reap()
        now = self._clock.now()
        async with self._uow_factory() as uow:
            run = await uow.training_runs.get(run_id)
            if run is None:
                # A message whose run record is gone (restored database, manual enqueue): it holds no slot.
                reason = f"no training run {run_id} is recorded; trigger a new run"
                orphan = TrainingRun(
                    trigger="unknown", status=RunStatus.SKIPPED, created_at=now, finished_at=now, decision=reason
                )
                orphan = await uow.training_runs.add(orphan)
                await uow.commit()
                return NotStarted(orphan, reason)
            started = await uow.training_runs.start(run_id, now)
            if started is not None:
                await uow.commit()
                return started
            reason = _why_not_started(run)
            if run.status is RunStatus.ABANDONED:
                run = replace(run, decision=reason)
                await uow.training_runs.update(run)
                await uow.commit()
        return NotStarted(run, reason)

    async def _train_and_decide(
        self, run: TrainingRun, progress: TrainingProgressRecorder
    ) -> tuple[TrainingRun | Skipped, TrainingPlan | None]:
        async with self._uow_factory() as uow:
            tickets = await uow.labelled_tickets.all_for_training()
            last = await uow.training_runs.last_succeeded()
            versions = await uow.model_versions.list()
            state = await uow.training_state.get()
        newest = max((ticket.id or 0 for ticket in tickets), default=None)
        run = replace(run, labelled_tickets=len(tickets), newest_ticket_id=newest)
        if state.claimed_label_revision <= state.trained_label_revision and last is not None:
            return Skipped(
                f"no labelled tickets since training run {last.id}: none added, excluded, superseded or relabelled"
            ), None
        split = self._split(tickets)
        if isinstance(split, Skipped):
            return split, None
        active = next((version for version in versions if version.status is ModelStatus.ACTIVE), None)
        since = last.newest_ticket_id or 0 if last is not None else 0
        new = [Example(ticket.text, ticket.category) for ticket in tickets if (ticket.id or 0) > since]
        plan = plan_training(
            self._settings.policy,
            manual=run.trigger == "manual",
            can_continue=active is not None and _has_encoder(active) and set(active.labels) == set(split.labels),
            tickets=len(tickets),
            new_tickets=len(new),
            last_full_at=state.last_full_at,
            last_full_tickets=state.last_full_tickets,
            now=self._clock.now(),
        )
        if plan.kind is PlanKind.UPDATE and active is not None:
            return await self._update(run, train_on(split, new), new, active, plan, progress), plan
        return await self._full(run, split, tickets, versions, plan, progress), plan

    async def _update(
        self,
        run: TrainingRun,
        split: DatasetSplit,
        new: Sequence[Example],
        active: ModelVersion,
        plan: TrainingPlan,
        progress: TrainingProgressRecorder,
    ) -> TrainingRun:
        """One stage: the linear model refitted on all of train, the served transformer continued on the new
        tickets plus a replay sample of older ones, each new ticket counted `new_weight` times in both; promoted by
        the same gate as a full training."""
        wanted = set(new)
        older = [example for example in split.train if example not in wanted]
        replay = replay_sample(older, self._settings.policy.replay, seed=run.id or 0)
        fresh = [example for example in split.train if example in wanted]
        weight = self._settings.policy.new_weight
        encoder_examples = weighted(fresh, weight) + replay
        progress.report(TrainingProgress(UPDATE, 5.0))
        started = self._clock.now()
        trained = await self._trainer.train(
            [*split.train, *weighted(fresh, weight - 1)],
            split.validation,
            split.labels,
            [active],
            lambda update: progress.report(_scaled(update, 5.0, 95.0)),
            epochs=self._settings.update_epochs,
            encoder_examples=encoder_examples,
        )
        progress.report(TrainingProgress(f"{UPDATE}: evaluate", 95.0))
        stage = await self._finish_stage(UPDATE, run, split, trained, {}, started)
        new_tickets = len(fresh)
        metrics = replace(
            stage.summary(), stages=(stage.record,), plan=plan, new_tickets=new_tickets, replay=len(replay)
        )
        return replace(stage.on(run), status=RunStatus.SUCCEEDED, metrics=metrics)

    async def _full(
        self,
        run: TrainingRun,
        split: DatasetSplit,
        tickets: Sequence[LabelledTicket],
        versions: Sequence[ModelVersion],
        plan: TrainingPlan,
        progress: TrainingProgressRecorder,
    ) -> TrainingRun:
        progress.report(TrainingProgress("export", 1.0))
        await self._exporter.export(tickets)
        evaluations: dict[int, EvaluationReport] = {}
        progress.report(TrainingProgress(LINEAR, 2.0))
        started = self._clock.now()
        linear = await self._trainer.train_linear(
            split.train, split.validation, split.labels, lambda update: progress.report(_scaled(update, 2.0, 8.0))
        )
        first: _StageOutcome | None = None
        if linear is not None:
            progress.report(TrainingProgress(f"{LINEAR}: evaluate", 8.0))
            first = await self._finish_stage(LINEAR, run, split, linear, evaluations, started)
            await self._show_stage(run, first.record)
        low = 5.0 if first is None else 10.0
        progress.report(TrainingProgress("train", low))
        started = self._clock.now()
        try:
            trained = await self._trainer.train(
                split.train,
                split.validation,
                split.labels,
                _warm_starts(versions),
                lambda update: progress.report(_scaled(update, low, 95.0)),
                reuse_linear=first.stored if first is not None else None,
            )
            progress.report(TrainingProgress("evaluate", 95.0))
            final = await self._finish_stage(
                trained.recipe if first is None else HYBRID, run, split, trained, evaluations, started
            )
        except Exception as failure:
            if first is None:
                raise
            # The linear stage stays as decided (promoted or not): only the hybrid is missing.
            logger.exception("training run %s: the hybrid stage failed after the linear stage", run.id)
            reason = f"{type(failure).__name__}: {failure}"
            seconds = (self._clock.now() - started).total_seconds()
            failed = TrainingStage(HYBRID, seconds=round(seconds, 1), error=reason)
            return replace(
                first.on(run),
                status=RunStatus.FAILED,
                error=f"hybrid stage failed: {reason}",
                metrics=replace(first.summary(), stages=(first.record, failed)),
            )
        stages = tuple(stage.record for stage in (first, final) if stage is not None)
        metrics = replace(final.summary(), stages=stages, plan=plan)
        if self._mislabels is not None and run.id is not None:
            progress.report(TrainingProgress("mislabels", 97.0))
            metrics = replace(metrics, mislabels=await self._mislabels.record(run.id, tickets))
        return replace(final.on(run), status=RunStatus.SUCCEEDED, metrics=metrics)

    async def _finish_stage(
        self,
        name: str,
        run: TrainingRun,
        split: DatasetSplit,
        trained: TrainedModel,
        evaluations: dict[int, EvaluationReport],
        started: datetime,
    ) -> _StageOutcome:
        """Calibrates and evaluates a trained version, then registers it, promoted if at least as good as the version
        active now (an earlier stage's, or one an operator activated meanwhile). `evaluations` caches the test
        split's evaluation by version id, so a version measured as one stage's candidate is not measured again."""
        calibrated = await self._trainer.calibrate(trained.path, split.validation, split.test)
        calibration = calibrated.report
        candidate = evaluate([example.label for example in split.test], list(calibrated.test_predictions))
        async with self._uow_factory() as uow:
            active = await uow.model_versions.active()
        incumbent = None
        if active is not None:
            report = evaluations.get(active.id) if active.id is not None else None
            if report is None:
                async with self._store.open(active.location) as folder:
                    report = await self._evaluate(folder, split.test)
                if active.id is not None:
                    evaluations[active.id] = report
            incumbent = Incumbent(active.name, report)
        decision = decide_promotion(candidate, incumbent)
        stored = await self._register(run, split, trained, candidate, calibration, incumbent, decision, active, name)
        if stored.id is not None:
            evaluations[stored.id] = candidate
        seconds = (self._clock.now() - started).total_seconds()
        record = TrainingStage(
            name,
            stored.id,
            decision.promote,
            decision.reason,
            candidate.accuracy,
            candidate.macro_f1,
            calibration.served_ece,
            round(seconds, 1),
        )
        return _StageOutcome(record, stored, candidate, calibration, incumbent, decision)

    async def _show_stage(self, run: TrainingRun, stage: TrainingStage) -> None:
        """Records a finished stage on the running run, so its page shows the linear stage while the hybrid trains.

        Best effort: the run's final record, written when the job ends, states every stage whatever happens here.
        """
        async with self._uow_factory() as uow:
            stored = await uow.training_runs.get(run.id or 0)
            if stored is None or stored.status is not RunStatus.RUNNING:
                return
            await uow.training_runs.update(replace(stored, metrics=replace(stored.metrics, stages=(stage,))))
            await uow.commit()

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
        stage: str,
    ) -> ModelVersion:
        """Publishes the version to the model store, then registers it (active or rejected, as decided) and retires
        the active one when it is replaced."""
        location = await self._store.publish(trained.path, trained.name)
        now = self._clock.now()
        metrics = VersionEvaluation(
            test=candidate,
            training=trained.details,
            split=SplitSizes(len(split.train), len(split.validation), len(split.test), tuple(split.train_only_labels)),
            calibration=calibration,
            stage=stage,
            incumbent_test=incumbent.report if incumbent is not None else None,
        )
        version = ModelVersion(
            name=trained.name,
            location=location,
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
        if decision.promote:
            await self._changes.announce()
        return stored


def _scaled(update: TrainingProgress, low: float, high: float) -> TrainingProgress:
    """The trainer reports 0-100 of its own work, which is `low`-`high` of the run."""
    return replace(update, percent=low + (high - low) * max(0.0, min(100.0, update.percent)) / 100.0)


def _has_encoder(version: ModelVersion) -> bool:
    """Whether a version holds a transformer an update can continue (a linear stage's version does not)."""
    return version.metrics.stage != LINEAR


def _warm_starts(versions: Sequence[ModelVersion]) -> list[ModelVersion]:
    """The versions a training may continue from, preferred first: the active one, then those that once served
    (newest first), then the rest that load; `versions` comes newest first.

    Why not the active one alone: after a linear stage was promoted the active version has no transformer, and the
    newest one that has one is a far better start than the base model. One that served before one that was
    rejected: a rejected version measured worse, and continuing from it would carry that on.
    """
    usable = [version for version in versions if version.status is not ModelStatus.BAD]
    return sorted(usable, key=lambda version: (version.status is not ModelStatus.ACTIVE, version.activated_at is None))


@dataclass(frozen=True, slots=True)
class _StageOutcome:
    """One stage's registered version, how it measured and whether it was promoted."""

    record: TrainingStage
    stored: ModelVersion
    candidate: EvaluationReport
    calibration: CalibrationReport
    incumbent: Incumbent | None
    decision: PromotionDecision

    def on(self, run: TrainingRun) -> TrainingRun:
        """The run's top-level fields describing this stage."""
        return replace(
            run, model_version_id=self.stored.id, promoted=self.decision.promote, decision=self.decision.reason
        )

    def summary(self) -> RunReport:
        """The run's top-level metrics describing this stage."""
        incumbent = self.incumbent.report if self.incumbent is not None else None
        return RunReport.summary(self.candidate, self.calibration, incumbent)

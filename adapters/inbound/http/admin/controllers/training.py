from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from markupsafe import Markup

from adapters.inbound.http.admin.charts import (
    ReliabilityPanel,
    accuracy_chart_svg,
    confusion_matrix_svg,
    reliability_diagram_svg,
)
from adapters.inbound.http.admin.rendering import page, redirect
from adapters.inbound.http.admin.views import version_points
from adapters.inbound.http.bounds import PathKey
from application.use_cases.models import ListModels
from application.use_cases.training_run_report import GetTrainingRunReport
from application.use_cases.training_runs import GetTrainingRun, ListTrainingRuns
from application.use_cases.trigger_retraining import TriggerOutcome, TriggerRetraining
from domain.training_reports import CalibrationReport

RUNS_SHOWN = 100
_TRIGGER_MESSAGES = {
    TriggerOutcome.ALREADY_RUNNING: ("error", "A training run is already running; only one runs at a time."),
    TriggerOutcome.QUEUE_FAILED: ("error", "The training job could not be queued; the run is recorded as failed."),
    TriggerOutcome.NOT_DUE: ("error", "The training run was not started."),
}


class TrainingRunPagesController(Controller):
    path = "/training-runs"

    @get("/")
    async def runs(
        self,
        request: Request[Any, Any, Any],
        list_training_runs: NamedDependency[ListTrainingRuns],
        list_models: NamedDependency[ListModels],
    ) -> Template:
        runs = await list_training_runs.execute(RUNS_SHOWN)
        chart = accuracy_chart_svg(version_points(await list_models.execute()))
        return page(
            request,
            "training_runs.html",
            runs=runs,
            chart=chart,
            eces={run.id: run.metrics.served_ece for run in runs},
            any_unfinished=any(not run.status.finished for run in runs),
        )

    @post("/")
    async def trigger(
        self, request: Request[Any, Any, Any], trigger_retraining: NamedDependency[TriggerRetraining]
    ) -> Redirect:
        result = await trigger_retraining.execute(manual=True)
        if result.outcome is TriggerOutcome.QUEUED:
            queued = ("success", f"Training run {result.run_id} queued.")
            return redirect(request, f"/admin/training-runs/{result.run_id}", queued)
        target = f"/admin/training-runs/{result.run_id}" if result.run_id is not None else "/admin/training-runs"
        return redirect(request, target, _TRIGGER_MESSAGES[result.outcome])

    @get("/{run_id:int}")
    async def run(
        self,
        request: Request[Any, Any, Any],
        run_id: PathKey,
        get_training_run_report: NamedDependency[GetTrainingRunReport],
    ) -> Template:
        report = await get_training_run_report.execute(run_id)
        evaluation = report.version.metrics.test if report.version else None
        # The run and its version hold the same calibration figures; a run recorded before they did has neither.
        calibration = report.run.metrics.calibration or (report.version.metrics.calibration if report.version else None)
        return page(
            request,
            "training_run.html",
            run=report.run,
            run_metrics=report.run.metrics.to_json(),
            version=report.version,
            evaluation=evaluation,
            confusion=(
                confusion_matrix_svg(evaluation.labels, evaluation.confusion_matrix)
                if evaluation and evaluation.labels
                else None
            ),
            calibration=calibration,
            stages=report.run.metrics.stages,
            reliability=_reliability_diagram(calibration) if calibration else None,
        )

    @get("/{run_id:int}/progress")
    async def progress(self, run_id: PathKey, get_training_run: NamedDependency[GetTrainingRun]) -> dict[str, object]:
        """Polled by the run page's script for live progress; the page reloads itself once the run finishes."""
        run = await get_training_run.execute(run_id)
        return {
            "status": run.status.value,
            "finished": run.status.finished,
            "phase": run.progress.phase,
            "percent": round(run.progress.percent, 1),
            "loss": run.progress.loss,
        }


def _reliability_diagram(report: CalibrationReport) -> Markup:
    calibration = report.calibration
    after = "After temperature scaling" if calibration.applied else "With the fitted temperature (not applied)"
    return reliability_diagram_svg(
        [
            ReliabilityPanel("Before calibration", report.reliability_before, calibration.test_ece_before),
            ReliabilityPanel(after, report.reliability_after, calibration.test_ece_after),
        ]
    )

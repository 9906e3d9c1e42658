"""Foreground operator commands: import labelled tickets, train now. Both show a progress bar."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tqdm import tqdm

from application.use_cases.trigger_retraining import TriggerOutcome
from bootstrap.container import build_container
from bootstrap.settings import Settings
from domain.errors import InvalidInput
from domain.training_runs import RunStatus

MAX_PROBLEMS_SHOWN = 50


def import_tickets(
    settings: Settings, path: str, text_column: str, label_column: str, sheet: str | None, skip_invalid: bool
) -> int:
    async def run() -> int:
        container = build_container(settings)
        # Shown once writing starts: a refused file gets its message alone, not an empty bar before it.
        bars: list[tqdm] = []

        def progress(done: int, total: int) -> None:
            if not bars:
                bars.append(tqdm(total=total, unit="ticket", desc=f"importing {Path(path).name}", file=sys.stderr))
            bars[0].n = done
            bars[0].refresh()

        try:
            report = await container.import_labelled_tickets().execute(
                path, text_column, label_column, sheet, skip_invalid, on_progress=progress
            )
        except InvalidInput as error:
            print(f"import refused, nothing imported: {error}", file=sys.stderr)
            return 2
        finally:
            for bar in bars:
                bar.close()
            await container.engine().dispose()
        for problem in (report.problems or report.skipped)[:MAX_PROBLEMS_SHOWN]:
            print(f"  row {problem.row}: {problem.message}", file=sys.stderr)
        hidden = len(report.problems or report.skipped) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            print(f"  ... and {hidden} more", file=sys.stderr)
        if report.problems:
            print(
                f"nothing imported: {len(report.problems)} invalid row(s); fix them or pass --skip-invalid",
                file=sys.stderr,
            )
            return 1
        skipped = f", skipped {len(report.skipped)} invalid row(s) listed above" if report.skipped else ""
        print(f"imported {report.imported} labelled tickets{skipped}")
        return 0

    return asyncio.run(run())


def train_now(settings: Settings) -> int:
    async def run() -> int:
        container = build_container(settings)
        try:
            started = await container.start_training_run().execute(manual=True)
            if started.run_id is None:
                reason = (
                    "a training run is already running"
                    if started.outcome is TriggerOutcome.ALREADY_RUNNING
                    else started.outcome.value
                )
                print(f"not started: {reason}", file=sys.stderr)
                return 1
            job = asyncio.get_running_loop().create_task(container.export_tickets_and_retrain().execute(started.run_id))
            with tqdm(total=100, desc=f"training run {started.run_id}", unit="%", file=sys.stderr) as bar:
                while not job.done():
                    await asyncio.wait({job}, timeout=1.0)
                    run = await container.get_training_run().execute(started.run_id)
                    bar.set_postfix_str(
                        f"{run.progress.phase}" + (f" loss {run.progress.loss:.3f}" if run.progress.loss else "")
                    )
                    bar.n = round(run.progress.percent, 1)
                    bar.refresh()
            run = job.result()
        finally:
            await container.engine().dispose()
        print(f"run {run.id}: {run.status.value}; {run.decision or run.error or ''}")
        if metrics := run.metrics.to_json():
            print("metrics: " + ", ".join(f"{key} {value}" for key, value in metrics.items()))
        return 0 if run.status is not RunStatus.FAILED else 1

    return asyncio.run(run())

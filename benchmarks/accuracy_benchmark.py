"""Accuracy and cost of the real retraining job on the shared tickets, measured on a split it never sees.

    .venv/bin/python benchmarks/accuracy_benchmark.py                  # defaults = the service's defaults
    .venv/bin/python benchmarks/accuracy_benchmark.py --epochs 1 --max-length 128 --budget 3600
    .venv/bin/python benchmarks/accuracy_benchmark.py --later 2000      # the service's life: train, label, retrain

1. Times `ticket-utils import` of the whole shared CSV (43,027 rows) into a throwaway embedded database.
2. Holds out a stratified 10% (seed 1234) that the jobs never see, imports the rest (less `--later` tickets)
   into a fresh database.
3. Runs the real `export_tickets_and_retrain` job (export, split, fine-tune, evaluate, register, promote).
4. Scores the version the job trained (promoted or not) on the held-out tickets, per component (bert, linear,
   hybrid).
   With `--stage-timing`: also prints when the linear stage's version became active (seconds after the job was
   triggered, as the registry shows it to every API process) and scores it on the held-out tickets; with
   `--stop-after-linear` the process ends right there, without waiting for the transformer.
5. With `--later N`: imports the N tickets kept back, as agents' new labels would arrive, and runs the job
   again - it warm-starts from the active model - then scores its version on the same held-out tickets.
Prints accuracy, macro-F1, wall and CPU time, and peak memory. It asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_CSV = ROOT.parent / "shared" / "data" / "it_service_tickets.csv"
sys.path.insert(0, str(ROOT))


def stratified_holdout(
    rows: list[dict[str, str]], share: float, seed: int
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    by_label: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row["Topic_group"]].append(row)
    rng = random.Random(seed)
    kept: list[dict[str, str]] = []
    held: list[dict[str, str]] = []
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        cut = round(len(group) * share)
        held.extend(group[:cut])
        kept.extend(group[cut:])
    return kept, held


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["Document", "Topic_group"])
        writer.writeheader()
        writer.writerows({"Document": r["Document"], "Topic_group": r["Topic_group"]} for r in rows)


def environment(workdir: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "BROKER_", "CELERY_", "DATABASE_"))}
    env |= {
        "SQLITE_PATH": str(workdir / "db.sqlite3"),
        "MODEL_STORE_DIR": str(workdir / "models"),
        "TRAINING_EXPORT_PATH": str(workdir / "exports" / "tickets_training.xlsx"),
        "TRAINING_DATA_DIR": str(workdir / "training_data"),
        "SEED_DEMO_DATA": "false",
        "LOG_LEVEL": args.log_level,
    }
    for flag, variable in (
        ("epochs", "TRAIN_EPOCHS"),
        ("max_length", "TRAIN_MAX_LENGTH"),
        ("batch_size", "TRAIN_BATCH_SIZE"),
        ("learning_rate", "TRAIN_LEARNING_RATE"),
        ("budget", "TRAIN_TIME_BUDGET"),
        ("kind", "TRAIN_MODEL_KIND"),
    ):
        value = getattr(args, flag)
        if value is not None:
            env[variable] = str(value)
    return env


def timed_import(csv_path: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    # `python -m bootstrap.cli` is the `ticket-utils` command, also where no console script is installed (a GPU
    # machine running the checkout with its own interpreter).
    subprocess.run(
        [sys.executable, "-m", "bootstrap.cli", "import", str(csv_path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return time.perf_counter() - started


async def watch_linear_stage(container: object, started: float, held: list[dict[str, str]], stop: bool) -> None:
    """Polls the registry until a linear-stage version is active; prints when, scores it, and ends if `stop`."""
    while True:
        versions = await container.list_models().execute()  # type: ignore[attr-defined]  # a DI container
        active = next((v for v in versions if v.status.value == "active" and v.metrics.stage == "linear"), None)
        if active is not None:
            seconds = time.perf_counter() - started
            test, training = active.metrics.test, active.metrics.training or {}
            print(
                f"  linear stage: version {active.name} active {seconds:.1f} s after the job was triggered "
                f"(job's test split accuracy {test.accuracy:.4f}, macro-F1 {test.macro_f1:.4f}; "
                f"durations {training.get('durations_s')})",
                flush=True,
            )
            await asyncio.to_thread(score_held_out, Path(active.location), held)
            if stop:
                print("  stopping after the linear stage (--stop-after-linear)", flush=True)
                os._exit(0)  # the transformer trains in a worker thread that nothing else can stop
            await watch_hybrid_stage(container, started)
            return
        await asyncio.sleep(0.5)


async def watch_hybrid_stage(container: object, started: float) -> None:
    """Polls until a version of a later stage is active and prints when (the job itself may still be running:
    it lists mislabel candidates after promoting)."""
    while True:
        versions = await container.list_models().execute()  # type: ignore[attr-defined]  # a DI container
        active = next((v for v in versions if v.status.value == "active" and v.metrics.stage != "linear"), None)
        if active is not None:
            seconds = time.perf_counter() - started
            print(f"  hybrid stage: version {active.name} active {seconds:.1f} s after the trigger", flush=True)
            return
        await asyncio.sleep(0.5)


async def train_and_score(
    env: dict[str, str],
    held: list[dict[str, str]],
    job: int,
    stage_timing: bool = False,
    stop_after_linear: bool = False,
) -> None:
    from bootstrap.container import build_container
    from bootstrap.settings import load_settings

    container = build_container(load_settings(environ=env, env_file=None))
    started_wall = time.perf_counter()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    start = await container.start_training_run().execute(manual=True)
    assert start.run_id is not None, start
    watcher = (
        asyncio.create_task(watch_linear_stage(container, started_wall, held, stop_after_linear))
        if stage_timing
        else None
    )
    run = await container.export_tickets_and_retrain().execute(start.run_id)
    if watcher is not None and not watcher.done():
        watcher.cancel()
    for stage in run.metrics.stages:
        print(f"  stage {stage}")
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - started_wall
    cpu = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)
    print(f"job {job} = training run {run.id}: {run.status.value}; {run.decision or run.error}")
    print(f"  job wall time {wall / 60:.1f} min, CPU time {cpu / 60:.1f} min (user+sys, all threads)")
    report = run.metrics
    summary = (report.accuracy, report.macro_f1, report.ece, report.test_size)
    print(f"  job's own test split (accuracy, macro-F1, ECE, size): {summary}; mislabels {report.mislabels}")
    (version,) = [v for v in await container.list_models().execute() if v.id == run.model_version_id]
    training = version.metrics.training or {}
    print(
        f"  trained version {version.name} ({version.status.value}); durations {training.get('durations_s')}, "
        f"blend weight {training.get('bert_weight')}, warm start {training.get('warm_start')}"
    )
    print(f"  fine-tune: {training.get('fine_tune')}")
    print(f"  validation per component: {training.get('validation')}")
    await asyncio.to_thread(score_held_out, Path(version.location), held)
    await container.engine().dispose()


def score_held_out(version_dir: Path, held: list[dict[str, str]]) -> None:
    from adapters.outbound.ml.serving.model_version import LoadedModelVersion
    from domain.metrics import evaluate

    loaded = LoadedModelVersion(version_dir, load_unused=True)
    truth = [row["Topic_group"] for row in held]
    parts = loaded.predict_components([row["Document"] for row in held])
    reports = {
        name: evaluate(truth, [loaded.labels[int(i)] for i in parts[name].argmax(axis=1)])
        for name in ("bert", "linear", "hybrid")
        if name in parts
    }
    for name, report in reports.items():
        print(
            f"  held-out {name:6s} ({report.size} tickets no job saw): accuracy {report.accuracy:.4f}, "
            f"macro-F1 {report.macro_f1:.4f}"
        )
    for label, m in reports["hybrid"].per_label.items():
        print(f"    {label:22s} precision {m.precision:.3f} recall {m.recall:.3f} f1 {m.f1:.3f} support {m.support}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=SHARED_CSV)
    parser.add_argument("--holdout", type=float, default=0.1)
    parser.add_argument("--epochs", type=float)
    parser.add_argument("--max-length", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--budget", type=int, help="seconds of fine-tuning (TRAIN_TIME_BUDGET)")
    parser.add_argument("--kind", choices=["hybrid", "bert"])
    parser.add_argument("--workdir", type=Path, help="keep the database, exports and models here (default: a temp dir)")
    parser.add_argument(
        "--stage-timing",
        action="store_true",
        help="print when the linear stage's version became active, and score it on the holdout",
    )
    parser.add_argument(
        "--stop-after-linear",
        action="store_true",
        help="with --stage-timing: end once the linear stage's version is active",
    )
    parser.add_argument(
        "--later", type=int, default=0, help="keep back this many tickets, import them after the first job and retrain"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        help="LOG_LEVEL of the job (INFO: the training process logs its memory at every phase and call)",
    )
    args = parser.parse_args()
    with args.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"{len(rows)} tickets from {args.csv}; {os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory(prefix="accuracy-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "throwaway").mkdir()
        seconds = timed_import(args.csv, environment(workdir / "throwaway", args))
        print(f"import of all {len(rows)} rows: {seconds:.1f} s (ticket-utils import, embedded SQLite)")
        kept, held = stratified_holdout(rows, args.holdout, seed=1234)
        random.Random(99).shuffle(kept)
        later, kept = kept[: args.later], kept[args.later :]
        write_csv(workdir / "kept.csv", kept)
        env = environment(workdir, args)
        timed_import(workdir / "kept.csv", env)
        print(f"imported {len(kept)} tickets for the first job; {len(held)} held out; {len(later)} kept for later")
        asyncio.run(
            train_and_score(
                env,
                held,
                job=1,
                stage_timing=args.stage_timing or args.stop_after_linear,
                stop_after_linear=args.stop_after_linear,
            )
        )
        if later:
            write_csv(workdir / "later.csv", later)
            timed_import(workdir / "later.csv", env)
            print(f"imported {len(later)} more labelled tickets; retraining")
            asyncio.run(train_and_score(env, held, job=2))
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (this process)")


if __name__ == "__main__":
    main()

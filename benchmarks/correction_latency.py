"""Time from an agent's correction to a served model that learned it, with `make run`'s defaults.

Runs `ticket-utils serve` over the database and model store of a finished full training (the workdir of
`benchmarks/accuracy_benchmark.py --workdir W`, whose job trained on the shared tickets less the holdout), e.g.:

    .venv/bin/python benchmarks/accuracy_benchmark.py --workdir /tmp/bench      # once: the full training
    .venv/bin/python benchmarks/correction_latency.py --workdir /tmp/bench --corrections 5

Each correction: a held-out ticket the served model gets wrong is analysed for one company and corrected through
`POST /api/analyses/{id}/feedback` with its true label. The feedback starts an update run at once
(`RETRAIN_MIN_NEW_LABELS` 1); the benchmark follows it to its end and prints when the update was promoted (or why
not) and whether the new version answers the corrected text with the person's label. That answer is read for a
second company, which has no human label of the text, so it is the model's, not the stored label's. It prints figures
and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED_CSV = ROOT.parent / "shared" / "data" / "it_service_tickets.csv"
sys.path.insert(0, str(ROOT / "benchmarks"))


def held_out_tickets() -> list[dict[str, str]]:
    from accuracy_benchmark import stratified_holdout

    with SHARED_CSV.open(newline="", encoding="utf-8") as handle:
        _, held = stratified_holdout(list(csv.DictReader(handle)), 0.1, seed=1234)
    return held


async def analyse(client: httpx.AsyncClient, text: str, company_id: int) -> dict[str, Any]:
    answer = await client.post("/api/analyze", json={"description": text, "company_id": company_id})
    answer.raise_for_status()
    return dict(answer.json())


async def correct_one(client: httpx.AsyncClient, ticket: dict[str, str], agents: int, model_only: int) -> None:
    text, truth = ticket["Document"], ticket["Topic_group"]
    analysis = await analyse(client, text, agents)
    corrected_at = time.monotonic()
    feedback = await client.post(f"/api/analyses/{analysis['analysis_id']}/feedback", json={"category": truth})
    feedback.raise_for_status()
    runs = (await client.get("/api/training-runs")).json()
    run = runs[0]
    started = f"run {run['id']} ({run['trigger']})"
    print(f"corrected {analysis['category']} -> {truth} (model {analysis['model_version']}); {started}", flush=True)
    while run["status"] in ("queued", "running"):
        await asyncio.sleep(2.0)
        run = (await client.get(f"/api/training-runs/{run['id']}")).json()
    ended = time.monotonic() - corrected_at
    plan = run["metrics"].get("plan", {})
    print(f"  run {run['id']} {run['status']} after {ended:.0f} s: plan {plan}; {run['decision'] or run['error']}")
    if run["started_at"] and run["finished_at"]:
        wall = datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
        stages = ", ".join(f"{stage['stage']} {stage['seconds']} s" for stage in run["stages"])
        print(f"  job wall time {wall.total_seconds():.0f} s ({stages})")
    if not run["promoted"]:
        return
    active = next(m for m in (await client.get("/api/models")).json() if m["status"] == "active")
    while True:
        answer = await analyse(client, text, model_only)
        if answer["model_version"] == active["name"]:
            break
        await asyncio.sleep(0.5)
    learned = answer["category"] == truth
    print(
        f"  served {active['name']} {time.monotonic() - corrected_at:.0f} s after the correction; "
        f"the model now answers {answer['category']} ({'learned' if learned else 'not learned'})",
        flush=True,
    )


async def run(url: str, corrections: int) -> None:
    from analyze_load import wait_ready

    await wait_ready(url, timeout_s=300)
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        agents, model_only = [await company_id(client, name) for name in ("Agents", "Model only")]
        wrong = []
        for ticket in held_out_tickets():
            answer = await analyse(client, ticket["Document"], model_only)
            if answer["model_version"] and answer["category"] != ticket["Topic_group"]:
                wrong.append(ticket)
                if len(wrong) == corrections:
                    break
        for ticket in wrong:
            await correct_one(client, ticket, agents, model_only)


async def company_id(client: httpx.AsyncClient, name: str) -> int:
    """The id of the company called `name`, created when missing."""
    for company in (await client.get("/api/companies")).json():
        if company["name"] == name:
            return int(company["id"])
    created = await client.post("/api/companies", json={"name": name})
    created.raise_for_status()
    return int(created.json()["id"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, required=True, help="accuracy_benchmark.py's --workdir")
    parser.add_argument("--corrections", type=int, default=3)
    parser.add_argument("--port", type=int, default=8093)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "BROKER_", "CELERY_", "DATABASE_"))}
    workdir = args.workdir.resolve()
    env |= {
        "SQLITE_PATH": str(workdir / "db.sqlite3"),
        "MODEL_STORE_DIR": str(workdir / "models"),
        "TRAINING_EXPORT_PATH": str(workdir / "exports" / "tickets_training.xlsx"),
        "TRAINING_DATA_DIR": str(workdir / "training_data"),
        "PORT": str(args.port),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bootstrap.cli", "serve"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        asyncio.run(run(f"http://127.0.0.1:{args.port}", args.corrections))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()

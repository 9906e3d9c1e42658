"""Load benchmark for POST /api/analyze: p50/p99 latency and throughput at several concurrency levels.

Starts the service itself (embedded SQLite, or MariaDB) or drives one already running (--url), e.g.:

    .venv/bin/python benchmarks/analyze_load.py --setup embedded --setup mariadb
    .venv/bin/python benchmarks/analyze_load.py --url http://127.0.0.1:8002
    .venv/bin/python benchmarks/analyze_load.py --model-dir models/v20261126-...   # serving a trained version
    .venv/bin/python benchmarks/analyze_load.py --model-dir ... --workers 2 --concurrency 1 16 32 64
    .venv/bin/python benchmarks/analyze_load.py --model-dir ... --batch 256 --concurrency 1 2 --requests 2048

With --model-dir, the version folder is linked into the started service's model store and registered as its
active version before the service starts (the registry row is written through the container, as the training
job writes it); the run begins once an analysis records that version's name, so no request is timed on the
zero-shot fallback. For a started service it also prints how long it took to be ready (GET /health/ready) and to
serve the version, and the resident memory (RSS) of its processes after the run.

The started service runs with `make run`'s defaults, its retraining trigger included (`--retraining off` raises
the threshold out of reach, for a comparison run); the training status and run rows are printed after the levels.
With `--during-training`, the shared tickets (less the stratified holdout) are imported and a full training is
started; the levels run while its transformer fine-tunes (`--setup worker` runs it in a `ticket-utils worker`
over MariaDB and Redis; embedded and mariadb in the API's own child process):

    .venv/bin/python benchmarks/analyze_load.py --setup embedded --setup worker --model-dir ... --during-training \
        --concurrency 16 --requests 3000 --wait-training

`--import-shared` imports the same tickets without starting a training: the idle run to compare with, since the
service then holds the same data (38,724 labelled tickets for company 1).

Similar tickets: `--stored-tickets N` writes N ticket vectors for company 1 (random unit vectors in the served
space, through the ticket-vector repository) before the service starts, so every search runs over them;
`--similar-tickets off` turns the company's similar tickets off for a comparison run:

    .venv/bin/python benchmarks/analyze_load.py --model-dir M --concurrency 16 --stored-tickets 50000
    .venv/bin/python benchmarks/analyze_load.py --model-dir M --concurrency 16 --stored-tickets 50000 \
        --similar-tickets off

Ticket texts come from ../shared/data/it_service_tickets.csv when present, else from a small built-in list.
The load generator shares the machine with the service; its CPU time per request is printed beside each level
(`--client raw`, the default, costs a fraction of what `--client httpx` does). It prints figures; it asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED_CSV = ROOT.parent / "shared" / "data" / "it_service_tickets.csv"
FALLBACK_TEXTS = [
    "my laptop screen is broken and the keyboard does not work",
    "please reset my password, I cannot log in to the vpn",
    "need access to the finance shared folder",
    "order a new monitor and docking station for the new starter",
    "mailbox is full, please increase the quota",
    "payroll question about my last salary slip",
]
MARIADB_URL = "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_bench"
REDIS_URL = "redis://127.0.0.1:6379/9"
STORED_TICKETS: list[int] = []
"""`--stored-tickets`, set by `main` (one value): seeded by `start_service` for every setup."""


@functools.cache
def source_texts() -> tuple[str, ...]:
    """The shared CSV's ticket texts, read once per run (every level and the warm-up draw from them)."""
    if not SHARED_CSV.is_file():
        return tuple(FALLBACK_TEXTS)
    with SHARED_CSV.open(newline="", encoding="utf-8") as handle:
        return tuple(row["Document"] for row in csv.DictReader(handle) if row["Document"].strip())


def ticket_texts(count: int, seed: int = 7) -> list[str]:
    texts = source_texts()
    rng = random.Random(seed)
    return [rng.choice(texts) for _ in range(count)]


async def run_level(
    url: str, concurrency: int, texts: list[str], client: str = "raw", batch: int = 0
) -> dict[str, float]:
    """`concurrency` closed-loop clients on keep-alive connections share `texts`: one ticket per POST /api/analyze,
    or with `batch` N, N tickets per POST /api/analyze/batch. The "raw" client writes each request and reads its
    answer over a plain asyncio stream (tens of microseconds of CPU a request); "httpx" is the general-purpose
    client, which costs the 2 shared cores far more. Both count the client's own CPU time."""
    latencies: list[float] = []
    errors = 0
    size = max(1, batch)
    queue: asyncio.Queue[list[str]] = asyncio.Queue()
    for start in range(0, len(texts), size):
        queue.put_nowait(texts[start : start + size])
    path = "/api/analyze/batch" if batch else "/api/analyze"

    def payload(chunk: list[str]) -> dict[str, object]:
        if batch:
            return {"company_id": 1, "tickets": [{"description": text} for text in chunk]}
        return {"description": chunk[0], "company_id": 1}

    async def httpx_loop(session: httpx.AsyncClient) -> None:
        nonlocal errors
        while not queue.empty():
            chunk = queue.get_nowait()
            started = time.perf_counter()
            response = await session.post(path, json=payload(chunk))
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200

    async def raw_loop() -> None:
        nonlocal errors
        target = httpx.URL(url)
        reader, writer = await asyncio.open_connection(target.host, target.port)
        try:
            while not queue.empty():
                chunk = queue.get_nowait()
                started = time.perf_counter()
                status = await raw_post(reader, writer, target.host, path, json.dumps(payload(chunk)).encode())
                latencies.append(time.perf_counter() - started)
                errors += status != 200
        finally:
            writer.close()

    cpu_before = time.process_time()
    started = time.perf_counter()
    if client == "raw":
        await asyncio.gather(*(raw_loop() for _ in range(concurrency)))
    else:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as session:
            await asyncio.gather(*(httpx_loop(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - cpu_before
    ordered = sorted(latencies)
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "tickets": len(texts),
        "errors": errors,
        "p50_ms": statistics.median(ordered) * 1000,
        "p90_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.90))] * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "max_ms": ordered[-1] * 1000,
        "throughput_rps": len(latencies) / elapsed,
        "tickets_per_s": len(texts) / elapsed,
        "client_cpu_ms": client_cpu * 1000 / max(1, len(latencies)),
    }


async def raw_post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str, body: bytes
) -> int:
    """One JSON POST on a keep-alive connection; returns the status after reading the whole body."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    headers = await reader.readuntil(b"\r\n\r\n")
    status = int(headers.split(b" ", 2)[1])
    length = 0
    for line in headers.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def benchmark(
    url: str,
    levels: list[int],
    requests: int,
    client: str = "raw",
    service_group: int | None = None,
    batch: int = 0,
    warmup: int = 400,
) -> None:
    """Runs each level in turn; with `service_group` (a service this script started), also prints the service's
    CPU time per request, all its processes and threads together. With `batch` N, each request carries N tickets
    (`requests` counts tickets). `warmup` single analyses run first, untimed, from as many clients as the busiest
    level."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as session:
        await session.post("/api/analyze", json={"description": "warm up", "company_id": 1})
    if warmup:
        # Untimed, from as many clients as the busiest level: the first burst a process meets pays one-off costs
        # (connections opened up to the pool's size, ONNX Runtime's buffers for larger batches, the teams read by
        # a newly served version), which a service answering all day has long paid.
        await run_level(url, max(levels), ticket_texts(warmup, seed=0), client)
    for level in levels:
        texts = ticket_texts(max(requests, level * 10 * max(1, batch)), seed=level)
        cpu_before = process_group_cpu_s(service_group) if service_group is not None else 0.0
        result = await run_level(url, level, texts, client, batch)
        if service_group is not None:
            server_cpu = (process_group_cpu_s(service_group) - cpu_before) * 1000 / max(1, result["tickets"])
            print(f"  concurrency {level:>3}: service CPU {server_cpu:.1f} ms a ticket", flush=True)
        kind = f"batches of {batch}" if batch else "requests"
        print(
            f"  concurrency {result['concurrency']:>3}: {result['requests']:>5} {kind}, "
            f"p50 {result['p50_ms']:7.1f} ms, p90 {result['p90_ms']:7.1f} ms, p99 {result['p99_ms']:7.1f} ms, "
            f"max {result['max_ms']:7.1f} ms, {result['throughput_rps']:6.1f} req/s, "
            f"{result['tickets_per_s']:6.1f} tickets/s, errors {result['errors']} "
            f"(load generator: {client}, {result['client_cpu_ms']:.2f} ms CPU a request)",
            flush=True,
        )


def service_env(setup: str, port: int, workdir: Path, model_dir: Path | None, retraining: str = "on") -> dict[str, str]:
    """`make run`'s defaults, retraining included; `retraining` "off" only for a comparison run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "BROKER_", "CELERY_", "DATABASE_"))}
    env |= {"PORT": str(port), "LOG_LEVEL": "WARNING", "SEED_DEMO_DATA": "true"}
    if retraining == "off":
        env |= {"ANALYZE_TRAINING_THRESHOLD": "1000000", "RETRAIN_MIN_NEW_LABELS": "0"}
    if setup in ("mariadb", "worker"):
        env["DATABASE_URL"] = os.environ.get("BENCH_MYSQL_URL", MARIADB_URL)
    if setup == "worker":
        env["BROKER_URL"] = os.environ.get("BENCH_REDIS_URL", REDIS_URL)
    if model_dir is not None:
        env |= {"MODEL_STORE_DIR": str(workdir / "models")}
    env["SQLITE_PATH"] = str(workdir / "db.sqlite3")
    return env


EMBEDDER_SPACE = "base:all-minilm-l6-v2"  # bootstrap.container.EMBEDDER_SPACE: where zero-shot tickets are placed
SEEDED_ID_BASE = 1_000_000_000  # analysis ids of the seeded vectors: far above any id the run creates


def seed_stored_tickets(env: dict[str, str], count: int, space: str, dimensions: int = 384) -> None:
    """Writes `count` vectors for company 1 in `space` directly through the repository (migrating first), in
    transactions of 5,000: random unit vectors cost a search what real ones do."""
    import numpy as np

    subprocess.run(
        [str(Path(sys.executable).with_name("ticket-utils")), "migrate"], env=env, check=True, stdout=subprocess.DEVNULL
    )

    async def seed() -> None:
        from datetime import UTC, datetime, timedelta

        from bootstrap.container import build_container
        from bootstrap.settings import load_settings
        from domain.similar_tickets import StoredVector

        container = build_container(load_settings(environ=env, env_file=None))
        rng = np.random.default_rng(11)
        start_at = datetime.now(UTC) - timedelta(days=30)
        labels = ("Hardware", "Access", "HR Support", "Storage", "Purchase")
        for start in range(0, count, 5_000):
            rows = rng.standard_normal((min(5_000, count - start), dimensions)).astype(np.float32)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
            vectors = [
                StoredVector(
                    company_id=1,
                    model_version=space,
                    vector=row.astype("<f2").tobytes(),
                    created_at=start_at + timedelta(seconds=start + n),
                    analysis_id=SEEDED_ID_BASE + start + n,
                    category=labels[(start + n) % len(labels)],
                )
                for n, row in enumerate(rows)
            ]
            async with container.uow_factory()() as uow:
                await uow.ticket_vectors.add_many(vectors)
                await uow.commit()
        await container.engine().dispose()

    started = time.monotonic()
    asyncio.run(seed())
    print(f"seeded {count} stored tickets for company 1 in {space} ({time.monotonic() - started:.1f} s)", flush=True)


async def set_similar_tickets(url: str, enabled: bool) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.patch("/api/companies/1", json={"similar_tickets_enabled": enabled})
        response.raise_for_status()


def start_service(env: dict[str, str], setup: str, workdir: Path, model_dir: Path | None, workers: int) -> list[Any]:
    """The API (first) and, for the worker setup, the retraining worker, each in its own process group."""
    command = [str(Path(sys.executable).with_name("ticket-utils")), "serve", "--workers", str(workers)]
    if setup in ("mariadb", "worker"):
        subprocess.run(
            [
                "mariadb",
                "-uroot",
                "-e",
                "DROP DATABASE IF EXISTS ticket_utils_bench; CREATE DATABASE ticket_utils_bench;"
                " GRANT ALL ON ticket_utils_bench.* TO 'ticket_utils'@'127.0.0.1';",
            ],
            check=True,
        )
        command.append("--migrate")
    if setup == "worker":
        subprocess.run(["redis-cli", "-u", env["BROKER_URL"], "flushdb"], check=True, stdout=subprocess.DEVNULL)
    if model_dir is not None:
        register_active_version(env, model_dir, workdir / "models")
    if STORED_TICKETS:
        space = model_dir.resolve().name if model_dir is not None else EMBEDDER_SPACE
        seed_stored_tickets(env, STORED_TICKETS[0], space)
    processes = [subprocess.Popen(command, cwd=workdir, env=env, start_new_session=True)]
    if setup == "worker":
        worker = [str(Path(sys.executable).with_name("ticket-utils")), "worker"]
        processes.append(subprocess.Popen(worker, cwd=workdir, env=env, start_new_session=True))
    return processes


def import_shared_tickets(env: dict[str, str], workdir: Path) -> int:
    """Imports the shared tickets less the stratified holdout no training sees (as accuracy_benchmark does)."""
    from accuracy_benchmark import stratified_holdout, write_csv

    with SHARED_CSV.open(newline="", encoding="utf-8") as handle:
        kept, _ = stratified_holdout(list(csv.DictReader(handle)), 0.1, seed=1234)
    path = workdir / "training_tickets.csv"
    write_csv(path, kept)
    command = [sys.executable, "-m", "bootstrap.cli", "import", str(path)]
    subprocess.run(command, env=env, cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    return len(kept)


async def start_training(url: str, phase: str = "training", timeout_s: float = 1800) -> int:
    """Starts a training run (a person's "train now": a full training) and waits until its progress reaches
    `phase` (the transformer's fine-tuning, the long part); the run's id."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        started = (await client.post("/api/training-runs")).json()
        run_id = int(started["run_id"])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            run = (await client.get(f"/api/training-runs/{run_id}")).json()
            if run["progress"]["phase"] == phase or run["status"] not in ("queued", "running"):
                print(f"training run {run_id}: {run['status']}, phase {run['progress']['phase']}", flush=True)
                return run_id
            await asyncio.sleep(2.0)
    raise RuntimeError(f"training run {run_id} did not reach {phase} within {timeout_s} s")


async def report_training(url: str, run_id: int, wait: bool) -> None:
    """Where the run is now; with `wait`, its outcome and wall time once it ends."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        while True:
            run = (await client.get(f"/api/training-runs/{run_id}")).json()
            if not wait or run["status"] not in ("queued", "running"):
                break
            await asyncio.sleep(5.0)
    progress = run["progress"]
    print(
        f"training run {run_id}: {run['status']}, phase {progress['phase']} at {progress['percent']:.1f} %", flush=True
    )
    if run["finished_at"] and run["started_at"]:
        from datetime import datetime

        wall = datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
        stages = ", ".join(f"{stage['stage']} {stage['seconds']} s" for stage in run["stages"])
        print(f"  wall time {wall.total_seconds() / 60:.1f} min ({stages}); {run['decision'] or run['error']}")


async def report_retraining(url: str) -> None:
    """What retraining did meanwhile: the run history and the skipped triggers (nothing new to learn)."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        status = (await client.get("/api/training/status")).json()
        runs = (await client.get("/api/training-runs")).json()
    print(
        f"  retraining: {len(runs)} run row(s), {status['skipped_triggers']} skipped trigger(s), "
        f"counter {status['analyses_since_trigger']}/{status['threshold']}, new labels {status['new_labels']}",
        flush=True,
    )


def register_active_version(env: dict[str, str], model_dir: Path, store: Path) -> None:
    """Links the version folder into the model store and makes it the registry's active version."""
    import json
    from datetime import UTC, datetime

    subprocess.run(
        [str(Path(sys.executable).with_name("ticket-utils")), "migrate"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    store.mkdir(parents=True, exist_ok=True)
    linked = store / model_dir.resolve().name
    linked.symlink_to(model_dir.resolve(), target_is_directory=True)
    labels = tuple(json.loads((linked / "model.json").read_text(encoding="utf-8"))["labels"])

    async def register() -> None:
        from bootstrap.container import build_container
        from bootstrap.settings import load_settings
        from domain.model_versions import ModelStatus, ModelVersion

        container = build_container(load_settings(environ=env, env_file=None))
        async with container.uow_factory()() as uow:
            version = await uow.model_versions.add(
                ModelVersion(
                    linked.name,
                    str(linked),
                    labels,
                    ModelStatus.CANDIDATE,
                    datetime.now(UTC),
                    note="registered by benchmarks/analyze_load.py",
                )
            )
            await uow.commit()
        assert version.id is not None
        await container.activate_model().execute(version.id)
        await container.engine().dispose()

    asyncio.run(register())
    print(f"registered {linked.name} as the active version", flush=True)


async def wait_serving(url: str, env: dict[str, str], name: str, timeout_s: float = 300) -> None:
    """Waits until an analysis records `name` as its model version (the service swaps it in after start-up)."""
    import sqlalchemy as sa

    from adapters.outbound.persistence.sqlalchemy.tables import analyses
    from bootstrap.container import build_container
    from bootstrap.settings import load_settings

    container = build_container(load_settings(environ=env, env_file=None))
    deadline = time.monotonic() + timeout_s
    try:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            while time.monotonic() < deadline:
                await client.post("/api/analyze", json={"description": "printer not working", "company_id": 1})
                async with container.engine().connect() as connection:
                    latest = (
                        await connection.execute(
                            sa.select(analyses.c.model_version).order_by(analyses.c.id.desc()).limit(1)
                        )
                    ).scalar()
                if latest == name:
                    print(f"serving model version {name}", flush=True)
                    return
                await asyncio.sleep(1.0)
    finally:
        await container.engine().dispose()
    raise RuntimeError(f"the service did not serve {name} within {timeout_s} s (is it marked bad? see its log)")


async def wait_ready(url: str, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get("/health/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"service at {url} not ready after {timeout_s} s")


def process_group_files(leader: int, name: str) -> dict[int, str]:
    """The text of /proc/<pid>/<name> for every process in the service's process group (uvicorn's supervisor and
    workers), by pid; a process that ended meanwhile is left out."""
    found: dict[int, str] = {}
    for path in Path("/proc").glob(f"[0-9]*/{name}"):
        try:
            pid = int(path.parent.name)
            if os.getpgid(pid) == leader:
                found[pid] = path.read_text()
        except (OSError, ValueError):
            continue
    return found


def process_group_cpu_s(leader: int) -> float:
    """CPU seconds (user + system, all threads) the service's process group has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for text in process_group_files(leader, "stat").values():
        fields = text.rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime and stime, fields 14 and 15 of stat
    return total


def process_group_rss_mib(leader: int) -> dict[int, float]:
    """Resident memory of every process in the service's process group."""
    sizes: dict[int, float] = {}
    for pid, text in process_group_files(leader, "status").items():
        line = next((x for x in text.splitlines() if x.startswith("VmRSS:")), None)
        if line is not None:  # a zombie has no VmRSS line
            sizes[pid] = int(line.split()[1]) / 1024
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="drive a service that is already running")
    parser.add_argument(
        "--setup",
        action="append",
        choices=["embedded", "mariadb", "worker"],
        help="start the service this way (worker: MariaDB, Redis and a `ticket-utils worker` for retraining)",
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=400, help="requests per concurrency level")
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--model-dir", type=Path, help="serve this trained version folder (model.json, bert/, linear/)")
    parser.add_argument("--workers", type=int, default=1, help="ticket-utils serve --workers N")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator: raw keep-alive sockets (default; leaves the shared cores to the server) or httpx",
    )
    parser.add_argument(
        "--batch", type=int, default=0, help="tickets per POST /api/analyze/batch (default 0: single /api/analyze)"
    )
    parser.add_argument("--warmup", type=int, default=400, help="untimed analyses before the first level (0: none)")
    parser.add_argument(
        "--retraining",
        choices=["on", "off"],
        default="on",
        help="on (default): `make run`'s retraining trigger; off: a threshold no run reaches, for comparison",
    )
    parser.add_argument(
        "--during-training",
        action="store_true",
        help="import the shared tickets (less a 10%% stratified holdout), start a full training and time the levels "
        "while its transformer fine-tunes",
    )
    parser.add_argument("--wait-training", action="store_true", help="with --during-training: report its wall time")
    parser.add_argument(
        "--import-shared",
        action="store_true",
        help="import the tickets --during-training imports, without a training: the idle run to compare with",
    )
    parser.add_argument(
        "--stored-tickets", type=int, default=0, help="ticket vectors stored for company 1 before the service starts"
    )
    parser.add_argument(
        "--similar-tickets",
        choices=["on", "off"],
        default="on",
        help="on (default): answers carry similar tickets; off: company 1's flag turned off, for comparison",
    )
    args = parser.parse_args()
    if args.stored_tickets:
        STORED_TICKETS.append(args.stored_tickets)
    print(f"cpu cores: {os.cpu_count()}; texts from {'shared CSV' if SHARED_CSV.is_file() else 'built-in list'}")
    if args.url:
        print(f"service at {args.url}")
        asyncio.run(
            benchmark(args.url, args.concurrency, args.requests, args.client, batch=args.batch, warmup=args.warmup)
        )
        return
    for setup in args.setup or ["embedded"]:
        url = f"http://127.0.0.1:{args.port}"
        with tempfile.TemporaryDirectory(prefix=f"bench-{setup}-") as workdir:
            env = service_env(setup, args.port, Path(workdir), args.model_dir, args.retraining)
            processes = start_service(env, setup, Path(workdir), args.model_dir, args.workers)
            started = time.monotonic()
            try:
                asyncio.run(wait_ready(url))
                print(f"{setup} setup, {args.workers} worker(s): ready {time.monotonic() - started:.1f} s after start")
                if args.model_dir is not None:
                    asyncio.run(wait_serving(url, env, args.model_dir.resolve().name))
                    print(f"  serving the trained version {time.monotonic() - started:.1f} s after start")
                if args.similar_tickets == "off":
                    asyncio.run(set_similar_tickets(url, False))
                    print("  similar tickets off for company 1", flush=True)
                run_id = None
                if args.during_training or args.import_shared:
                    print(f"  imported {import_shared_tickets(env, Path(workdir))} labelled tickets", flush=True)
                if args.during_training:
                    run_id = asyncio.run(start_training(url))
                asyncio.run(
                    benchmark(
                        url, args.concurrency, args.requests, args.client, processes[0].pid, args.batch, args.warmup
                    )
                )
                sizes = process_group_rss_mib(processes[0].pid)
                print(
                    f"  RSS after the run: {', '.join(f'{mib:.0f} MiB' for mib in sorted(sizes.values()))}"
                    f" (largest {max(sizes.values(), default=0):.0f} MiB)",
                    flush=True,
                )
                if run_id is not None:
                    asyncio.run(report_training(url, run_id, args.wait_training))
                asyncio.run(report_retraining(url))
            finally:
                for process in processes:
                    os.killpg(process.pid, signal.SIGTERM)
                for process in processes:
                    try:
                        process.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        # A Dramatiq worker finishes its current message before it exits on SIGTERM: with a
                        # training running that is most of an hour, and its training process with it.
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait(timeout=60)


if __name__ == "__main__":
    main()

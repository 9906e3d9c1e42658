"""What similar tickets cost: database bytes and index memory per stored ticket, and the search's time, e.g.:

    .venv/bin/python benchmarks/similar_tickets_index.py --tickets 100000
    .venv/bin/python benchmarks/similar_tickets_index.py --tickets 50000 --database sqlite

Stores `--tickets` random unit vectors (384 dimensions, like MiniLM's) for one company through the ticket-vector
repository, in a fresh SQLite file and a fresh MariaDB database (`BENCH_MYSQL_URL`, default the ticket_utils_bench
database analyze_load uses), and reports the bytes the table and its indexes take (SQLite's dbstat; MariaDB's
information_schema after ANALYZE TABLE). Then loads them into the numpy index as an API process does
(`SimilarTickets`, chunks of 2,000) and reports its bytes, the process's RSS growth, the load time, and the time
of one search alone and of 16 searches submitted together (what c=16 sends). It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.outbound.persistence.sqlalchemy.engine import create_engine_for  # noqa: E402
from adapters.outbound.persistence.sqlalchemy.migrate import upgrade_to_head  # noqa: E402
from adapters.outbound.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory  # noqa: E402
from adapters.outbound.similarity.numpy_index import NumpyVectorIndex  # noqa: E402
from application.services.similar_tickets import SimilarTickets  # noqa: E402
from domain.similar_tickets import SimilarTicketsPolicy, StoredVector  # noqa: E402

MYSQL_URL = os.environ.get(
    "BENCH_MYSQL_URL", "mysql+aiomysql://ticket_utils:ticket_utils@127.0.0.1:3306/ticket_utils_bench"
)
SPACE = "bench-space"


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


async def seed(url: str, count: int, dimensions: int) -> float:
    engine = create_engine_for(url)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    rng = np.random.default_rng(3)
    start_at = datetime.now(UTC) - timedelta(days=30)
    started = time.monotonic()
    for start in range(0, count, 5_000):
        rows = rng.standard_normal((min(5_000, count - start), dimensions)).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        vectors = [
            StoredVector(1, SPACE, row.astype("<f2").tobytes(), start_at + timedelta(seconds=start + n), start + n + 1)
            for n, row in enumerate(rows)
        ]
        async with uow_factory() as uow:
            await uow.ticket_vectors.add_many(vectors)
            await uow.commit()
    seconds = time.monotonic() - started
    await engine.dispose()
    return seconds


async def table_bytes(url: str) -> tuple[int, int]:
    """(data bytes, index bytes) of ticket_vectors."""
    engine = create_engine_for(url)
    try:
        async with engine.connect() as connection:
            if url.startswith("sqlite"):
                rows = (
                    await connection.exec_driver_sql(
                        "SELECT name, SUM(pgsize) FROM dbstat WHERE name = 'ticket_vectors' "
                        "OR name LIKE 'ix_ticket_vectors%' OR name LIKE 'sqlite_autoindex_ticket_vectors%' "
                        "GROUP BY name"
                    )
                ).all()
                data = sum(int(size) for name, size in rows if name == "ticket_vectors")
                return data, sum(int(size) for _, size in rows) - data
            await connection.exec_driver_sql("ANALYZE TABLE ticket_vectors")
            row = (
                await connection.exec_driver_sql(
                    "SELECT data_length, index_length FROM information_schema.TABLES "
                    "WHERE table_schema = DATABASE() AND table_name = 'ticket_vectors'"
                )
            ).one()
            return int(row[0]), int(row[1])
    finally:
        await engine.dispose()


def _policy() -> tuple[SimilarTicketsPolicy, float]:
    """The service's policy and refresh interval as a start without any environment sets them (only loading is
    measured here)."""
    from bootstrap.settings import load_settings

    defaults = load_settings(environ={}, env_file=None)
    policy = SimilarTicketsPolicy(
        defaults.similar_tickets_k,
        defaults.similar_tickets_min_similarity,
        defaults.duplicate_similarity,
        defaults.duplicate_similarity_base,
        timedelta(hours=defaults.duplicate_window_hours),
    )
    return policy, defaults.similar_tickets_refresh_s


async def index_figures(url: str, count: int, dimensions: int) -> None:
    engine = create_engine_for(url)
    index = NumpyVectorIndex(min_pass_interval_ms=0)  # the search's own time, without the spacing of passes
    # Only the loading is used here: no model places a ticket.
    policy, refresh_seconds = _policy()
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    similar = SimilarTickets(uow_factory, index, None, None, "", policy, refresh_seconds)  # type: ignore[arg-type]
    before = rss_mib()
    started = time.monotonic()
    await similar._ready(1, SPACE)
    load_s = time.monotonic() - started
    print(
        f"  index: {index.size(1, SPACE)} vectors loaded in {load_s:.1f} s; {index.memory_bytes() / 2**20:.1f} MiB "
        f"of arrays ({index.memory_bytes() / count:.0f} bytes a ticket); RSS grew {rss_mib() - before:.0f} MiB"
    )
    rng = np.random.default_rng(5)
    queries = [tuple(rng.standard_normal(dimensions).astype(np.float32).tolist()) for _ in range(16)]
    await index.search(1, SPACE, queries[0], 10, 0.0)
    alone = []
    for query in queries * 2:
        started = time.perf_counter()
        await index.search(1, SPACE, query, 10, 0.0)
        alone.append((time.perf_counter() - started) * 1000)
    together = []
    for _ in range(10):
        started = time.perf_counter()
        await asyncio.gather(*(index.search(1, SPACE, query, 10, 0.0) for query in queries))
        together.append((time.perf_counter() - started) * 1000)
    print(
        f"  search over {count}: one alone median {statistics.median(alone):.1f} ms; 16 submitted together "
        f"median {statistics.median(together):.1f} ms for all 16 ({statistics.median(together) / 16:.2f} ms each)"
    )
    index.close()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--dimensions", type=int, default=384)
    parser.add_argument("--database", choices=["sqlite", "mariadb"], action="append")
    args = parser.parse_args()
    print(f"cpu cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="similar-index-") as workdir:
        for database in args.database or ["sqlite", "mariadb"]:
            if database == "sqlite":
                url = f"sqlite+aiosqlite:///{Path(workdir) / 'vectors.db'}"
            else:
                url = MYSQL_URL
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
            upgrade_to_head(url)
            seconds = asyncio.run(seed(url, args.tickets, args.dimensions))
            data, indexes = asyncio.run(table_bytes(url))
            per = args.tickets / 100_000
            print(
                f"{database}: {args.tickets} vectors stored in {seconds:.1f} s; table {data / 2**20:.1f} MiB + indexes "
                f"{indexes / 2**20:.1f} MiB = {(data + indexes) / per / 2**20:.1f} MiB per 100k tickets "
                f"({(data + indexes) / args.tickets:.0f} bytes a ticket; the vector itself {args.dimensions * 2})",
                flush=True,
            )
            asyncio.run(index_figures(url, args.tickets, args.dimensions))


if __name__ == "__main__":
    main()

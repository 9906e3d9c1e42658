"""What one burst detection costs: CPU seconds of the grouping for scattered tickets and for a window with bursts, e.g.:

    .venv/bin/python benchmarks/burst_detection.py                          # reference up to 1,000 (~1 minute)
    .venv/bin/python benchmarks/burst_detection.py --reference-up-to 5000   # the README's figures (~15 minutes)

Builds one company's window of tickets with random unit vectors (384 dimensions, like MiniLM's; tuples of floats, as
the ticket-group queries hand them over) spread over the last hour: `scattered N` (no two alike: every ticket starts
a group of its own, the worst case, n² cosines) for each of `--sizes`, and `bursts` (1,000 tickets, 900 scattered
and 5 bursts of 20 around their own directions). Then times `BurstFinder.find` under the default policy (5, 0.85,
60 minutes) with the numpy adapter (production, the best of `--repeat` runs) and with the pure-Python reference
(tests/unit/fake_burst_finder.py: the code production ran before the adapter; once, and only up to
`--reference-up-to` tickets: it grows with n², ~25 s for 1,000, ~12 minutes for 5,000), and checks that both found
the same bursts. CPU seconds are the process's (BLAS threads included), wall seconds the caller's. It prints
figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.outbound.similarity.numpy_bursts import NumpyBurstFinder  # noqa: E402
from application.ports.burst_finder import BurstFinder  # noqa: E402
from domain.ticket_groups import Burst, BurstPolicy, GroupedTicket  # noqa: E402
from tests.unit.fake_burst_finder import ReferenceBurstFinder  # noqa: E402

DIMENSIONS = 384
POLICY = BurstPolicy(min_size=5, similarity=0.85, window=timedelta(minutes=60))
WORDS = "vpn printer mail disk sso payroll wifi laptop password export login crash slow error server".split()


def window(vectors: np.ndarray, seed: int) -> list[GroupedTicket]:
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    ages = rng.uniform(0, 3600, len(vectors))
    return [
        GroupedTicket(
            1,
            "bench",
            tuple(float(v) for v in vector),
            now - timedelta(seconds=float(age)),
            " ".join(rng.choice(WORDS, 4)),
            analysis_id=index + 1,
        )
        for index, (vector, age) in enumerate(zip(vectors, ages, strict=True))
    ]


def unit_rows(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def scattered(count: int) -> list[GroupedTicket]:
    rng = np.random.default_rng(count)
    return window(unit_rows(rng.standard_normal((count, DIMENSIONS))), count)


def with_bursts(count: int = 1_000, bursts: int = 5, size: int = 20) -> list[GroupedTicket]:
    rng = np.random.default_rng(7)
    rows = unit_rows(rng.standard_normal((count, DIMENSIONS)))
    for burst in range(bursts):
        centre = unit_rows(rng.standard_normal((1, DIMENSIONS)))
        # Noise 0.015 per dimension: each ticket ~0.96 close to its burst's direction.
        rows[burst * size : (burst + 1) * size] = centre + rng.normal(0, 0.015, (size, DIMENSIONS))
    return window(rows, 7)


def timed(finder: BurstFinder, tickets: Sequence[GroupedTicket], repeat: int) -> tuple[float, float, list[Burst]]:
    best_cpu, best_wall, found = float("inf"), float("inf"), []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        found = finder.find(tickets, POLICY)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, found


def shape(bursts: list[Burst]) -> list[tuple[list[int | None], tuple[str, ...]]]:
    return [([t.analysis_id for t in b.tickets], b.top_terms) for b in bursts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1_000, 5_000])
    parser.add_argument("--reference-up-to", type=int, default=1_000, help="largest window the reference runs on")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the numpy adapter (the best is shown)")
    args = parser.parse_args()
    data = [(f"scattered {n:,}", scattered(n)) for n in args.sizes] + [("bursts (1,000: 5 x 20)", with_bursts())]
    print(f"{'window':<24} {'bursts':>6} {'numpy CPU s':>12} {'wall s':>8} {'reference CPU s':>16} {'wall s':>8}")
    for name, tickets in data:
        cpu, wall, found = timed(NumpyBurstFinder(), tickets, args.repeat)
        line = f"{name:<24} {len(found):>6} {cpu:>12.3f} {wall:>8.3f}"
        if len(tickets) <= args.reference_up_to:
            ref_cpu, ref_wall, expected = timed(ReferenceBurstFinder(), tickets, 1)
            same = "" if shape(found) == shape(expected) else "  DIFFERENT BURSTS"
            line += f" {ref_cpu:>16.3f} {ref_wall:>8.3f}{same}"
        else:
            line += f" {'(skipped)':>16}"
        print(line, flush=True)


if __name__ == "__main__":
    main()

"""Fine-tuning steps per second on this machine for a few settings, on the same shared tickets.

    .venv/bin/python benchmarks/fine_tune_speed.py                          # bf16, fp32, bf16 at batch 32, 80 steps
    .venv/bin/python benchmarks/fine_tune_speed.py --runs bf16:64:40 fp32:64:40 bf16:32:40:3:128

Each run is precision:batch:steps[:frozen_layers[:max_length]] and trains MiniLM from the bundled checkpoint for
that many steps on the first batch x steps tickets of a fixed shuffle (no validation), so runs differ only in the
setting. Run the same setting twice, first and last, to see how much the first run pays for warming up. It prints
steps/s, tickets/s and the final loss; it asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_CSV = ROOT.parent / "shared" / "data" / "it_service_tickets.csv"
sys.path.insert(0, str(ROOT))


def main() -> None:
    from adapters.outbound.ml.serving.minilm_embedder import default_minilm_dir
    from adapters.outbound.ml.training.fine_tune import train_sequence_classifier
    from bootstrap.container import fine_tune_config
    from bootstrap.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=SHARED_CSV)
    parser.add_argument("--runs", nargs="+", default=["bf16:32:80", "fp32:32:80", "bf16:32:80"])
    args = parser.parse_args()
    with args.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(5).shuffle(rows)
    labels = sorted({row["Topic_group"] for row in rows})
    for run in args.runs:
        precision, batch, steps, *rest = run.split(":")
        frozen, max_length = (int(rest[0]) if rest else 0), (int(rest[1]) if len(rest) > 1 else 128)
        sample = rows[: int(batch) * int(steps)]
        config = replace(
            fine_tune_config(load_settings(environ={}, env_file=None)),
            epochs=1.0,
            time_budget_s=None,
            batch_size=int(batch),
            precision=precision,
            frozen_layers=frozen,
            max_length=max_length,
        )
        with tempfile.TemporaryDirectory() as out:
            outcome = train_sequence_classifier(
                [r["Document"] for r in sample],
                [r["Topic_group"] for r in sample],
                [],
                [],
                labels,
                Path(out),
                config,
                Path(default_minilm_dir()),
            )
        summary = outcome.summary
        print(
            f"{run}: {summary['steps']} steps, {summary['steps_per_s']} steps/s = "
            f"{summary['steps_per_s'] * int(batch):.1f} tickets/s, final loss {summary['final_loss']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

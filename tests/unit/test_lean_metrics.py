"""The Prometheus adapter: what one process reports, and the sum over several processes sharing a directory."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from adapters.outbound.metrics.prometheus_metrics import MULTIPROC_ENV, PrometheusExposition, PrometheusMetrics
from adapters.outbound.ml.serving.micro_batcher import MicroBatcher, observe_batches
from domain.training_runs import RunStatus

ROOT = Path(__file__).resolve().parents[2]


def _value(page: str, sample: str, missing: float | None = None) -> float:
    match = re.search(rf"^{re.escape(sample)} (\S+)$", page, re.MULTILINE)
    if match is None and missing is not None:
        return missing
    assert match is not None, sample
    return float(match.group(1))


def _page() -> str:
    return PrometheusExposition().render({}).body.decode()


def test_the_served_version_moves_and_runs_are_shown_by_status() -> None:
    metrics = PrometheusMetrics()
    metrics.model_served("bert-v1")
    metrics.model_served("bert-v2")
    page = PrometheusExposition().render({RunStatus.FAILED: 3}).body.decode()
    assert _value(page, 'ticket_utils_model_version_served{version="bert-v1"}') == 0
    assert _value(page, 'ticket_utils_model_version_served{version="bert-v2"}') == 1
    assert _value(page, 'ticket_utils_training_runs{status="failed"}') == 3
    assert _value(page, 'ticket_utils_training_runs{status="succeeded"}') == 0


async def test_every_batch_a_batcher_runs_is_observed() -> None:
    seen: list[tuple[str, int]] = []
    observe_batches(lambda name, size: seen.append((name, size)))
    batcher: MicroBatcher[int] = MicroBatcher(lambda texts: [len(t) for t in texts], max_wait_ms=50, name="model-7")
    try:
        assert await batcher.submit_many(["a", "bb", "ccc"]) == [1, 2, 3]
    finally:
        observe_batches(None)
        batcher.close()
    assert sum(size for _, size in seen) == 3 and {name for name, _ in seen} == {"model-7"}
    sample = 'ticket_utils_model_batch_size_count{model="model"}'
    before = _value(_page(), sample, missing=0.0)
    PrometheusMetrics().batch_ran("model-7", 3)  # a version's batcher is reported under its family's name
    assert _value(_page(), sample) == before + 1


_WORKER = """
from adapters.outbound.metrics.prometheus_metrics import PrometheusMetrics
metrics = PrometheusMetrics()
metrics.analyses_answered(1, 0.01, False)
metrics.analyses_counted({count})
metrics.model_served("bert-v3")
"""
_SCRAPE = """
import sys
from adapters.outbound.metrics.prometheus_metrics import PrometheusExposition
sys.stdout.write(PrometheusExposition().render({}).body.decode())
"""


def test_several_processes_sharing_a_directory_are_added_up(tmp_path: Path) -> None:
    env = {**os.environ, MULTIPROC_ENV: str(tmp_path), "PYTHONPATH": str(ROOT)}

    def python(code: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=60
        ).stdout

    python(_WORKER.format(count=2))
    python(_WORKER.format(count=3))
    page = python(_SCRAPE)
    assert _value(page, 'ticket_utils_analyses_total{call="single"}') == 2
    assert _value(page, "ticket_utils_retraining_counted_analyses_total") == 5
    assert _value(page, 'ticket_utils_analyze_duration_seconds_count{call="single"}') == 2


def test_a_text_embedded_again_soon_is_not_encoded_again() -> None:
    from adapters.outbound.ml.serving.minilm_embedder import MiniLmEmbedder

    encoded: list[list[str]] = []

    class Counting(MiniLmEmbedder):
        def _compute(self, texts: list[str]) -> list[tuple[float, ...]]:
            encoded.append(list(texts))
            return [(float(len(text)),) for text in texts]

    embedder = Counting(model_dir="unused", recent_texts=2)
    assert embedder.encode(["printer", "vpn"]) == [(7.0,), (3.0,)]
    assert embedder.encode(["vpn", "printer", "vpn"]) == [(3.0,), (7.0,), (3.0,)]
    assert sorted(text for batch in encoded for text in batch) == ["printer", "vpn"]  # each encoded once
    embedder.encode(["laptop"])  # the least recently used of the two makes room
    embedder.encode(["vpn", "printer"])
    assert len(encoded[-1]) == 1 and sum(len(batch) for batch in encoded) == 4

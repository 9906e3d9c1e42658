"""A two-stage run's stages (linear first, then hybrid) show on its admin page and in GET /api/training-runs/{id};
a run recorded before stages existed shows none. On the real app and wiring with in-memory fakes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from domain.training_reports import RunReport
from domain.training_runs import RunStatus, TrainingRun
from tests.unit.admin_session import logged_in
from tests.unit.http_world import ADMIN_KEY, http_world

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORLD = http_world()
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
RUNS: dict[str, int] = {}
STAGES = [
    {
        "stage": "linear",
        "model_version_id": 7,
        "promoted": True,
        "decision": "promoted: no active model",
        "accuracy": 0.861,
        "macro_f1": 0.84,
        "ece": 0.031,
        "seconds": 95.4,
        "error": None,
    },
    {
        "stage": "hybrid",
        "model_version_id": None,
        "promoted": False,
        "decision": None,
        "accuracy": None,
        "macro_f1": None,
        "ece": None,
        "seconds": 12.0,
        "error": "RuntimeError: <out of memory>",
    },
]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def client() -> AsyncIterator[AsyncTestClient]:
    await WORLD.add_admin()
    async with WORLD.uow() as unit:
        staged = await unit.training_runs.add(
            TrainingRun(
                "manual",
                RunStatus.FAILED,
                NOW,
                model_version_id=7,
                promoted=True,
                error="hybrid stage failed",
                # As stored (JSON): an entry that is not a stage object is skipped when read back.
                metrics=RunReport.from_json({"accuracy": 0.861, "stages": [*STAGES, "not a stage"]}),
            )
        )
        old = await unit.training_runs.add(
            TrainingRun("manual", RunStatus.SUCCEEDED, NOW, metrics=RunReport(accuracy=0.7))
        )
        await unit.commit()
    RUNS.update(staged=staged.id or 0, old=old.id or 0)
    async with logged_in(WORLD.app) as test_client:
        yield test_client


async def test_the_run_page_shows_a_stages_table(client: AsyncTestClient) -> None:
    html = (await client.get(f"/admin/training-runs/{RUNS['staged']}")).text
    linear = re.search(r'<tr class="stage-linear">(.*?)</tr>', html, flags=re.DOTALL)
    hybrid = re.search(r'<tr class="stage-hybrid">(.*?)</tr>', html, flags=re.DOTALL)
    assert linear and hybrid
    assert "#7" in linear.group(1) and "86.1 %" in linear.group(1) and "95 s" in linear.group(1)
    assert "promoted</span>" in linear.group(1) and "promoted: no active model" in linear.group(1)
    assert "failed</span>" in hybrid.group(1) and "RuntimeError: &lt;out of memory&gt;" in hybrid.group(1)
    assert "{&#39;stage&#39;" not in html, "the stages are not dumped as raw JSON among the metrics"


async def test_a_run_without_stages_has_no_stages_table(client: AsyncTestClient) -> None:
    html = (await client.get(f"/admin/training-runs/{RUNS['old']}")).text
    assert 'id="stages"' not in html


async def test_the_api_returns_the_stages_typed(client: AsyncTestClient) -> None:
    headers = {"X-API-Key": ADMIN_KEY}
    body = (await client.get(f"/api/training-runs/{RUNS['staged']}", headers=headers)).json()
    assert body["stages"] == STAGES, "unreadable entries are skipped"
    old = (await client.get(f"/api/training-runs/{RUNS['old']}", headers=headers)).json()
    assert old["stages"] == []

"""The training-run, runs and models pages show how far each version's confidence and automatic decisions can be
trusted, and say "not measured" for runs and versions recorded before that was measured; on the real app and
wiring with in-memory fakes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from domain.model_versions import ModelStatus, ModelVersion
from domain.training_reports import RunReport, VersionEvaluation
from domain.training_runs import RunStatus, TrainingRun
from tests.unit.admin_session import logged_in
from tests.unit.http_world import http_world
from tests.unit.trust_metrics import HOSTILE_LABEL, evaluation, trust_report

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORLD = http_world()
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
RUNS: dict[str, int] = {}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def admin() -> AsyncIterator[AsyncTestClient]:
    await WORLD.add_admin()
    report = trust_report()
    async with WORLD.uow() as unit:
        old_version = await unit.model_versions.add(
            ModelVersion(
                "v-old",
                "m/v-old",
                ("A",),
                ModelStatus.RETIRED,
                NOW - timedelta(days=2),
                VersionEvaluation(test=evaluation(0.7)),
            )
        )
        old = await unit.training_runs.add(
            TrainingRun(
                "manual",
                RunStatus.SUCCEEDED,
                NOW - timedelta(days=2),
                model_version_id=old_version.id,
                metrics=RunReport(accuracy=0.7, macro_f1=0.6),
            )
        )
        rejected = await unit.model_versions.add(
            ModelVersion(
                "v-rejected",
                "m/v-rejected",
                ("A",),
                ModelStatus.REJECTED,
                NOW - timedelta(days=1),
                VersionEvaluation(test=evaluation(0.6), calibration=trust_report(applied=False)),
            )
        )
        version = await unit.model_versions.add(
            ModelVersion(
                "v-new",
                "m/v-new",
                ("Access", HOSTILE_LABEL),
                ModelStatus.ACTIVE,
                NOW,
                VersionEvaluation(test=evaluation(0.9), calibration=report),
            )
        )
        new = await unit.training_runs.add(
            TrainingRun(
                "manual",
                RunStatus.SUCCEEDED,
                NOW,
                model_version_id=version.id,
                metrics=RunReport(accuracy=0.9, macro_f1=0.85, ece=0.0213, calibration=report),
            )
        )
        queued = await unit.training_runs.add(TrainingRun("manual", RunStatus.QUEUED, NOW))
        await unit.commit()
    assert rejected.id is not None
    RUNS.update(old=old.id or 0, new=new.id or 0, queued=queued.id or 0)
    async with logged_in(WORLD.app) as client:
        yield client


def _svgs(html: str) -> list[ElementTree.Element]:
    return [ElementTree.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL)]


async def test_a_calibrated_run_shows_its_ece_temperature_and_reliability_diagram(admin: AsyncTestClient) -> None:
    response = await admin.get(f"/admin/training-runs/{RUNS['new']}")
    assert response.status_code == 200
    html = response.text
    assert re.search(r'id="ece-before">8\.7 %<', html) and re.search(r'id="ece-after">2\.1 %<', html)
    assert "1.375 fitted on validation" in html and "applied</span>" in html
    assert "ECE (served)</dt><dd>2.1 %" in html
    assert "{&#39;temperature&#39;" not in html and "reliability_before" not in html, "no raw JSON in the facts"
    diagrams = [svg for svg in _svgs(html) if svg.get("aria-label") == "Reliability diagram"]
    assert len(diagrams) == 1 and diagrams[0].get("role") == "img"
    assert "1.2k" in [text.text for text in diagrams[0].iter("{http://www.w3.org/2000/svg}text")]
    assert "not measured" not in html


async def test_a_run_page_shows_the_decision_thresholds_with_labels_escaped(admin: AsyncTestClient) -> None:
    html = (await admin.get(f"/admin/training-runs/{RUNS['new']}")).text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "0.812" in html and "75.0 %" in html and "(30 of 40)" in html and "never automatic" in html
    assert "target precision of 95.0 %" in html and "(30 of 52)" in html


async def test_a_run_from_before_calibration_says_not_measured(admin: AsyncTestClient) -> None:
    response = await admin.get(f"/admin/training-runs/{RUNS['old']}")
    assert response.status_code == 200
    assert "Calibration: not measured" in response.text and "Decision thresholds: not measured" in response.text
    assert 'aria-label="Reliability diagram"' not in response.text


async def test_a_queued_run_has_no_calibration_section_yet(admin: AsyncTestClient) -> None:
    response = await admin.get(f"/admin/training-runs/{RUNS['queued']}")
    assert response.status_code == 200 and 'id="calibration"' not in response.text


async def test_the_runs_list_has_an_ece_column(admin: AsyncTestClient) -> None:
    html = (await admin.get("/admin/training-runs")).text
    found = re.findall(r'<tr>\s*<td><a href="/admin/training-runs/(\d+)">(.*?)</tr>', html, flags=re.DOTALL)
    rows = {int(run_id): row for run_id, row in found}
    assert "<th>ECE</th>" in html
    assert "2.1 %" in rows[RUNS["new"]] and "not measured" in rows[RUNS["old"]]
    assert "not measured" not in rows[RUNS["queued"]]


async def test_the_models_page_shows_each_version_s_ece_and_decision_thresholds(admin: AsyncTestClient) -> None:
    response = await admin.get("/admin/models")
    assert response.status_code == 200
    html = response.text
    assert "<th>ECE</th>" in html and "2.1 %" in html
    assert "8.7 %" in html and "9.9 %" not in html, "the rejected version's temperature was not applied: ECE before"
    table, thresholds = html.split('id="decision-thresholds"')
    assert "not measured" in table, "the old version's ECE"
    active, *others = thresholds.split("<details")
    assert "v-new" in active and "0.812" in active and "(30 of 40)" in active
    assert "&lt;script&gt;" in active and "<script>alert" not in html
    assert len(others) == 2 and all("</details>" in other for other in others)
    rejected = next(other for other in others if "v-rejected" in other)
    old = next(other for other in others if "v-old" in other)
    assert "57.7 % decided automatically at 96.7 % precision" in rejected
    assert "ECE not measured" in old and "Decision thresholds: not measured" in old

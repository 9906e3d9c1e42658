"""What the admin pages read: the dashboard, filtered pages of analyses, one analysis, one training run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from application.services.retraining_trigger import RetrainingTrigger
from application.use_cases.analyses import GetAnalysisDetail, ListAnalyses
from application.use_cases.dashboard import GetDashboard
from application.use_cases.labelled_tickets import Feedback, SubmitFeedback
from application.use_cases.training_run_report import GetTrainingRunReport
from domain.analysis import AnalysisFilter, TicketAnalysis
from domain.companies import Company, Team
from domain.errors import InvalidInput, NotFound
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction
from domain.priority import Priority
from domain.routing import RoutingReason, TeamAssignment
from domain.training_runs import RunStatus, TrainingRun
from tests.settings_defaults import DEFAULTS
from tests.training_policies import trigger_policy
from tests.unit.fakes import FakeJobQueue, FakeUnitOfWorkFactory, FixedClock

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


def analysis(
    company_id: int = 1,
    label: str | None = "Hardware",
    priority: Priority | None = Priority.HIGH,
    need_admin: bool | None = False,
    at: datetime = NOW,
) -> TicketAnalysis:
    category = CategoryPrediction(label, 0.9, "v1") if label else None
    assignment = (
        None
        if need_admin is None
        else TeamAssignment(
            None if need_admin else 7,
            need_admin,
            0.4,
            RoutingReason.BELOW_SIMILARITY_THRESHOLD if need_admin else RoutingReason.SIMILARITY,
        )
    )
    return TicketAnalysis(company_id, "text", category, priority, -0.5, assignment, "v1", at)


async def store(uow: FakeUnitOfWorkFactory, *items: TicketAnalysis) -> list[TicketAnalysis]:
    async with uow() as unit:
        stored = [await unit.analyses.add(item) for item in items]
        await unit.commit()
    return stored


async def test_the_dashboard_counts_today_in_utc_and_shows_training_and_the_active_model() -> None:
    uow = FakeUnitOfWorkFactory()
    await store(uow, analysis(at=NOW - timedelta(days=1)), analysis(at=NOW.replace(hour=0)), analysis(at=NOW))
    version = ModelVersion("v3", "models/v3", ("A", "B"), ModelStatus.ACTIVE, NOW, {"test": {"accuracy": 0.9}})
    async with uow() as unit:
        await unit.model_versions.add(version)
        await unit.training_runs.add(TrainingRun("manual", RunStatus.FAILED, NOW, error="boom"))
        await unit.training_state.count_analysis()
        await unit.training_state.record_error("training run 1 failed: boom")
        await unit.commit()
    dashboard = await GetDashboard(uow, FixedClock(NOW), trigger_policy(threshold=100)).execute()
    assert (dashboard.analyses_today, dashboard.analyses_total) == (2, 3)
    assert dashboard.day_started_at == datetime(2026, 3, 10, tzinfo=UTC)
    assert dashboard.training.policy.threshold == 100 and dashboard.training.state.analyses_since_trigger == 1
    assert dashboard.training.state.last_error == "training run 1 failed: boom"
    assert dashboard.active_model is not None and dashboard.active_model.name == "v3"
    assert dashboard.latest_run is not None and dashboard.latest_run.status is RunStatus.FAILED


async def test_an_empty_service_has_an_empty_dashboard() -> None:
    dashboard = await GetDashboard(FakeUnitOfWorkFactory(), FixedClock(NOW), trigger_policy(threshold=10)).execute()
    assert dashboard.analyses_total == 0 and dashboard.active_model is None and dashboard.latest_run is None


async def test_analyses_are_listed_newest_first_with_the_filter_applied() -> None:
    """What each filter matches is the repository contract's (tests/repository_contract.py); this is the use case."""
    uow = FakeUnitOfWorkFactory()
    await store(
        uow,
        analysis(at=NOW - timedelta(days=3)),
        analysis(at=NOW - timedelta(hours=2)),
        analysis(need_admin=True),
        analysis(company_id=2, label="Access"),
        analysis(label=None, priority=Priority.LOW, need_admin=None),
    )
    page = await ListAnalyses(uow).execute(AnalysisFilter(company_id=1, category="Hardware", need_admin=False))
    assert [item.id for item in page.items] == [2, 1] and page.total == 2


async def test_paging_keeps_the_total_and_refuses_bad_bounds() -> None:
    uow = FakeUnitOfWorkFactory()
    await store(uow, *(analysis() for _ in range(7)))
    page = await ListAnalyses(uow).execute(AnalysisFilter(), offset=5, limit=5)
    assert page.total == 7 and [item.id for item in page.items] == [2, 1]
    for offset, limit, field in ((-1, 5, "offset"), (0, 0, "limit"), (0, 501, "limit")):
        with pytest.raises(InvalidInput) as raised:
            await ListAnalyses(uow).execute(AnalysisFilter(), offset, limit)
        assert raised.value.field == field


async def test_the_detail_of_an_analysis_has_its_company_team_and_feedback() -> None:
    uow = FakeUnitOfWorkFactory()
    async with uow() as unit:
        company = await unit.companies.add(Company(None, "Globex"))
        team = await unit.teams.add(Team(None, company.id or 0, "Desk", "Hardware", "laptops"))
        await unit.commit()
    (stored,) = await store(
        uow,
        replace(
            analysis(company_id=company.id or 0),
            assignment=TeamAssignment(team.id, False, 0.8, RoutingReason.CATEGORY_MATCH),
        ),
    )
    detail = await GetAnalysisDetail(uow).execute(stored.id or 0)
    assert detail.company == company and detail.team == team and detail.feedback is None
    trigger = RetrainingTrigger(uow, FakeJobQueue(), FixedClock(NOW), trigger_policy())
    await SubmitFeedback(uow, FixedClock(NOW), trigger, DEFAULTS.team_evidence_per_team).execute(
        stored.id or 0, Feedback(category="Access")
    )
    detail = await GetAnalysisDetail(uow).execute(stored.id or 0)
    assert detail.feedback is not None and detail.feedback.category == "Access"
    with pytest.raises(NotFound):
        await GetAnalysisDetail(uow).execute(424242)


async def test_an_analysis_outlives_its_company() -> None:
    uow = FakeUnitOfWorkFactory()
    (stored,) = await store(uow, analysis(company_id=99))
    detail = await GetAnalysisDetail(uow).execute(stored.id or 0)
    assert detail.company is None and detail.team is None


async def test_a_run_report_has_the_version_it_produced() -> None:
    uow = FakeUnitOfWorkFactory()
    async with uow() as unit:
        version = await unit.model_versions.add(ModelVersion("v1", "m/v1", ("A",), ModelStatus.ACTIVE, NOW))
        produced = await unit.training_runs.add(
            TrainingRun("manual", RunStatus.SUCCEEDED, NOW, model_version_id=version.id)
        )
        pending = await unit.training_runs.add(TrainingRun("manual", RunStatus.QUEUED, NOW))
        await unit.commit()
    assert (await GetTrainingRunReport(uow).execute(produced.id or 0)).version == version
    assert (await GetTrainingRunReport(uow).execute(pending.id or 0)).version is None
    with pytest.raises(NotFound):
        await GetTrainingRunReport(uow).execute(424242)

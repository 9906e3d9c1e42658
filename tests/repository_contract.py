"""The repository contract: what every implementation of the persistence ports must do.

`RepositoryContract` is not collected by itself; a subclass provides the `uow_factory` fixture for one
backend and inherits every test: tests/unit/test_repository_contract.py runs them over the in-memory fakes,
tests/integration/test_sqlalchemy_repositories.py over SQLite and MariaDB. So a use case's unit test over the
fakes means the same thing it would mean over SQL.
"""

from __future__ import annotations

import asyncio
import random
import typing
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from adapters.outbound.persistence.sqlalchemy.repositories.labelled_tickets import INSERT_BATCH_BYTES
from application.ports.unit_of_work import UnitOfWork
from application.use_cases.admin_login import AuthenticateAdmin
from domain.admin_users import AdminRole, AdminUser
from domain.analysis import AnalysisDecisions, AnalysisFilter, TicketAnalysis
from domain.companies import Company, CompanyFlags, Team
from domain.decision_policy import DecisionMode, DecisionPolicy
from domain.decision_quality import LabelDecisionCounts
from domain.decisions import CategoryReason, Decision
from domain.errors import Conflict, InvalidCredentials, LoginThrottled
from domain.human_labels import HumanLabel, text_hash
from domain.labelled_tickets import LabelledTicket, TicketStatus
from domain.login_throttle import user_key
from domain.metrics import EvaluationReport, LabelMetrics
from domain.mislabels import MislabelCandidate, Resolution
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction, LabelScore
from domain.priority import Priority
from domain.routing import RoutingReason, TeamAssignment
from domain.team_evidence import TeamEvidence
from domain.training_plan import PlanKind, TrainingPlan
from domain.training_reports import MislabelSummary, RunReport, SplitSizes, VersionEvaluation
from domain.training_runs import RunStatus, TrainingProgress, TrainingRun
from domain.training_stages import TrainingStage
from tests.settings_defaults import login_policy
from tests.unit.fakes import FakePasswordHasher, FixedClock
from tests.unit.trust_metrics import trust_report

UowFactory = Callable[[], UnitOfWork]
STALE_AFTER = timedelta(hours=6)
NOW = datetime(2026, 3, 10, 15, 30, 0, 123456, tzinfo=UTC)


def _analysis(company_id: int = 1, **overrides: Any) -> TicketAnalysis:
    values: dict[str, Any] = {
        "company_id": company_id,
        "description": "The printer on floor 3 is on fire. 🔥 " + "x" * 12_000,
        "category": CategoryPrediction(
            "Hardware", 0.8125, "bert-v7", (LabelScore("Network", 0.125), LabelScore("Access", 0.0625))
        ),
        "priority": Priority.HIGH,
        "polarity": -0.734375,
        "assignment": TeamAssignment(42, False, 0.612345, RoutingReason.CATEGORY_MATCH),
        "model_version": "bert-v7",
        "created_at": datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    }
    values.update(overrides)
    return TicketAnalysis(**values)


def _ticket(index: int, **overrides: Any) -> LabelledTicket:
    values: dict[str, Any] = {
        "text": f"Ticket {index}: my laptop will not boot. 🔥",
        "category": ["Hardware", "Access", "HR Support"][index % 3],
        "source": "import",
        "created_at": datetime(2025, 6, 1, 9, 30, 0, 250000, tzinfo=UTC),
    }
    values.update(overrides)
    return LabelledTicket(**values)


async def _teach(uow_factory: UowFactory, count: int = 1) -> None:
    """People labelled `count` tickets (committed): the trigger has something new to learn."""
    async with uow_factory() as uow:
        await uow.labelled_tickets.add_many([_ticket(n) for n in range(count)])
        await uow.commit()


def _run(**overrides: Any) -> TrainingRun:
    values: dict[str, Any] = {
        "trigger": "threshold",
        "status": RunStatus.QUEUED,
        "created_at": datetime(2025, 7, 1, 12, 0, 0, 5, tzinfo=UTC),
    }
    values.update(overrides)
    return TrainingRun(**values)


def _version(name: str, **overrides: Any) -> ModelVersion:
    values: dict[str, Any] = {
        "name": name,
        "location": f"models/{name}",
        "labels": ("Access", "Hardware", "HR Support"),
        "status": ModelStatus.CANDIDATE,
        "created_at": datetime(2025, 8, 1, 10, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return ModelVersion(**values)


def _big_metrics(labels: int) -> VersionEvaluation:
    rng = random.Random(labels)
    names = [f"label {index} ünïcode" for index in range(labels)]
    test = EvaluationReport(
        accuracy=0.812345,
        macro_f1=0.790001,
        per_label={name: LabelMetrics(rng.random(), rng.random(), rng.random(), rng.randint(0, 999)) for name in names},
        labels=tuple(names),
        confusion_matrix=tuple(tuple(rng.randint(0, 500) for _ in names) for _ in names),
        size=4303,
    )
    return VersionEvaluation(
        test=test,
        training={"seconds": 1234.5, "epochs": 3, "nested": {"a": [1, 2.5, None, "x"]}},
        split=SplitSizes(34421, 4303, 4303, (names[-1],)),
        calibration=trust_report(),
        stage="hybrid",
        incumbent_test=replace(test, accuracy=0.8, macro_f1=0.78),
    )


def _filter_analysis(
    company_id: int, label: str | None, priority: Priority | None, need_admin: bool | None, at: datetime
) -> TicketAnalysis:
    assignment = None
    if need_admin is not None:
        assignment = TeamAssignment(None if need_admin else 3, need_admin, 0.5, RoutingReason.SIMILARITY)
    category = CategoryPrediction(label, 0.75, "v1") if label else None
    return TicketAnalysis(company_id, f"ticket {label}", category, priority, 0.1, assignment, "v1", at)


class _YieldingHasher(FakePasswordHasher):
    """Gives the event loop away while "hashing", as argon2 in a worker thread does, so logins interleave."""

    async def verify(self, password_hash: str | None, password: str) -> bool:
        for _ in range(5):
            await asyncio.sleep(0)
        return await super().verify(password_hash, password)


class RepositoryContract:
    """Every test takes the backend's `uow_factory`, which starts from empty storage."""

    async def test_every_repository_of_the_port_is_built_on_first_use_and_kept_for_the_transaction(
        self, uow_factory: UowFactory
    ) -> None:
        names = set(typing.get_type_hints(UnitOfWork))
        assert len(names) > 10
        async with uow_factory() as uow:
            assert not names & set(vars(uow)), "entering builds no repository"
            first = uow.companies
            assert set(vars(uow)) & names == {"companies"}
            assert uow.companies is first
            for name in names:
                assert getattr(uow, name) is getattr(uow, name)

    async def test_a_repository_is_not_used_outside_its_transaction(self, uow_factory: UowFactory) -> None:
        with pytest.raises(RuntimeError, match="outside its `async with` block"):
            _ = uow_factory().companies

    async def test_a_rollback_drops_what_the_transaction_staged_so_far(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            await uow.companies.add(Company(None, "Dropped"))
            await uow.rollback()
            kept = await uow.companies.add(Company(None, "Kept"))
            assert await uow.companies.list() == [kept]
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.companies.list() == [kept]

    async def test_company_round_trip(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            acme = await uow.companies.add(Company(None, "Acme", CompanyFlags(True, False, True)))
            globex = await uow.companies.add(Company(None, "Globex"))
            await uow.commit()
        assert acme.id is not None and globex.id is not None and acme.id != globex.id

        async with uow_factory() as uow:
            assert await uow.companies.get(acme.id) == acme
            assert await uow.companies.list() == [acme, globex]
            assert await uow.companies.get(acme.id + globex.id + 1000) is None
            renamed = Company(acme.id, "Acme Ltd", CompanyFlags(False, True, False))
            await uow.companies.update(renamed)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.companies.get(acme.id) == renamed
            await uow.companies.delete(acme.id)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.companies.get(acme.id) is None
            assert await uow.companies.list() == [globex]

    async def test_team_round_trip_keeps_the_embedding_exact(self, uow_factory: UowFactory) -> None:
        rng = random.Random(7)
        embedding = tuple(rng.uniform(-1, 1) for _ in range(384)) + (0.1, 1e-300, -3.3333333333333335, 0.0)
        async with uow_factory() as uow:
            company = await uow.companies.add(Company(None, "Acme"))
            assert company.id is not None
            billing = await uow.teams.add(Team(None, company.id, "Billing", "Finance", "Invoices, refunds.", embedding))
            bare = await uow.teams.add(Team(None, company.id, "Helpdesk", None, "", ()))
            await uow.commit()
        assert billing.id is not None and bare.id is not None

        async with uow_factory() as uow:
            stored = await uow.teams.get(billing.id)
            assert stored == billing and stored is not None and stored.embedding == embedding
            assert await uow.teams.get(bare.id) == bare
            assert await uow.teams.list_for_company(company.id) == [billing, bare]
            changed = Team(billing.id, company.id, "Billing EU", None, "Only EU invoices. " * 200, (0.5, -0.25))
            await uow.teams.update(changed)
            await uow.teams.delete(bare.id)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.teams.get(billing.id) == changed
            assert await uow.teams.get(bare.id) is None
            assert await uow.teams.list_for_company(company.id) == [changed]

    async def test_extra_categories_and_bounded_evidence_round_trip(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            company = await uow.companies.add(Company(None, "Acme"))
            other = await uow.companies.add(Company(None, "Globex"))
            assert company.id is not None and other.id is not None
            desk = await uow.teams.add(Team(None, company.id, "Desk", "Hardware", "", (1.0,), ("Purchase", "Storage")))
            plain = await uow.teams.add(Team(None, other.id, "Plain", None, "anything", (1.0,)))
            await uow.commit()
        assert desk.id is not None and plain.id is not None and desk.extra_categories == ("Purchase", "Storage")

        async with uow_factory() as uow:
            for number in range(5):
                await uow.teams.add_evidence(desk.id, company.id, TeamEvidence(f"ticket {number}", "Hardware"), keep=3)
            await uow.teams.add_evidence(plain.id, other.id, TeamEvidence("elsewhere", "Access"), keep=3)
            await uow.commit()

        kept = tuple(TeamEvidence(f"ticket {number}", "Hardware") for number in (2, 3, 4))
        async with uow_factory() as uow:
            stored = await uow.teams.get(desk.id)
            assert stored is not None and stored.evidence == kept
            assert stored.categories == ("Hardware", "Purchase", "Storage")
            assert [t.evidence for t in await uow.teams.list_for_company(company.id)] == [kept]
            await uow.teams.update(replace(stored, description="laptops", extra_categories=(), evidence=()))
            await uow.commit()

        async with uow_factory() as uow:
            stored = await uow.teams.get(desk.id)
            assert stored is not None and stored.evidence == kept and stored.extra_categories == ()
            assert (await uow.teams.list_for_company(other.id))[0].evidence == (TeamEvidence("elsewhere", "Access"),)

    async def test_analysis_round_trip_with_every_field_and_with_none(self, uow_factory: UowFactory) -> None:
        full = _analysis(7)
        empty = _analysis(
            8,
            description="plain",
            category=None,
            priority=None,
            polarity=None,
            assignment=None,
            model_version=None,
            created_at=datetime(2025, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2))),
        )
        admin = _analysis(
            9,
            category=CategoryPrediction("Other", 0.3, "bert-v7"),
            assignment=TeamAssignment(None, True, None, RoutingReason.NO_TEAMS),
        )
        async with uow_factory() as uow:
            assert await uow.analyses.count() == 0
            stored = [await uow.analyses.add(analysis) for analysis in (full, empty, admin)]
            await uow.commit()
        assert all(item.id is not None for item in stored)
        assert len({item.id for item in stored}) == 3

        async with uow_factory() as uow:
            assert await uow.analyses.count() == 3
            for item in stored:
                assert item.id is not None
                loaded = await uow.analyses.get(item.id)
                assert loaded == item
            assert await uow.analyses.get(max(item.id or 0 for item in stored) + 1) is None

    async def test_an_exception_inside_the_unit_of_work_writes_nothing(self, uow_factory: UowFactory) -> None:
        with pytest.raises(RuntimeError, match="boom"):
            async with uow_factory() as uow:
                company = await uow.companies.add(Company(None, "Acme"))
                assert company.id is not None
                await uow.teams.add(Team(None, company.id, "Billing", None, "", (1.0,)))
                await uow.analyses.add(_analysis(company.id))
                await uow.training_state.count_analysis()
                raise RuntimeError("boom")

        async with uow_factory() as uow:
            await uow.companies.add(Company(None, "Uncommitted"))
            await uow.training_state.count_analysis()

        async with uow_factory() as uow:
            assert await uow.companies.list() == []
            assert await uow.analyses.count() == 0
            assert (await uow.training_state.get()).analyses_since_trigger == 0

    async def test_every_company_and_team_write_moves_the_catalogue_stamp(self, uow_factory: UowFactory) -> None:
        async def stamp() -> int:
            async with uow_factory() as uow:
                return await uow.catalogue_stamp.current()

        seen = [await stamp()]

        async def write(change: Callable[[UnitOfWork], Any]) -> None:
            async with uow_factory() as uow:
                await change(uow)
                await uow.commit()
            seen.append(await stamp())
            assert seen[-1] > seen[-2]

        company = Company(None, "Acme")
        async with uow_factory() as uow:
            company = await uow.companies.add(company)
            await uow.commit()
        seen.append(await stamp())
        assert seen[-1] > seen[0]
        assert company.id is not None
        team = Team(None, company.id, "Billing", None, "invoices", (1.0, 0.0))
        async with uow_factory() as uow:
            team = await uow.teams.add(team)
            await uow.commit()
        seen.append(await stamp())
        assert seen[-1] > seen[-2]
        await write(lambda uow: uow.teams.update(replace(team, description="refunds")))
        await write(lambda uow: uow.companies.update(replace(company, name="Acme Ltd")))
        assert team.id is not None and company.id is not None
        await write(lambda uow: uow.teams.delete(team.id))
        await write(lambda uow: uow.companies.delete(company.id))
        async with uow_factory() as uow:  # a write rolled back leaves it where it was
            await uow.companies.add(Company(None, "Never"))
        assert await stamp() == seen[-1]
        async with uow_factory() as uow:  # reads and other writes do not move it
            await uow.companies.list()
            await uow.analyses.add(_analysis())
            await uow.commit()
        assert await stamp() == seen[-1]

    async def test_several_analyses_are_counted_at_once(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            assert (await uow.training_state.count_analysis(3)).analyses_since_trigger == 3
            assert (await uow.training_state.count_analysis()).analyses_since_trigger == 4
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.training_state.get()).analyses_since_trigger == 4

    async def test_runs_are_counted_by_status(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            for status in (RunStatus.QUEUED, RunStatus.FAILED, RunStatus.FAILED, RunStatus.SUCCEEDED):
                await uow.training_runs.add(TrainingRun(trigger="manual", status=status, created_at=NOW))
            await uow.commit()
        async with uow_factory() as uow:
            counts = {status: n for status, n in (await uow.training_runs.count_by_status()).items() if n}
        assert counts == {RunStatus.QUEUED: 1, RunStatus.FAILED: 2, RunStatus.SUCCEEDED: 1}

    async def test_counter_and_claim_are_exact_under_concurrency(self, uow_factory: UowFactory) -> None:
        """64 analyses, threshold 10, no release: exactly one claim, which subtracts 10, so the counter ends at 54
        whatever the interleaving; no analysis counted between an increment and the claim is lost."""
        now = datetime.now(UTC)
        tasks, threshold = 64, 10
        await _teach(uow_factory)

        async def analyse_then_try_to_claim(index: int) -> tuple[int, bool]:
            async with uow_factory() as uow:
                await uow.analyses.add(_analysis(index + 1, description=f"ticket {index}"))
                count = (await uow.training_state.count_analysis()).analyses_since_trigger
                await uow.commit()
            async with uow_factory() as uow:
                claimed = await uow.training_state.claim(now, threshold=threshold, stale_before=now - STALE_AFTER)
                await uow.commit()
            return count, claimed

        results = await asyncio.gather(*(analyse_then_try_to_claim(index) for index in range(tasks)))

        async with uow_factory() as uow:
            assert await uow.analyses.count() == tasks
            state = await uow.training_state.get()
        assert sum(claimed for _, claimed in results) == 1
        assert state.running and state.running_since == now and state.last_triggered_at == now
        assert state.analyses_since_trigger == tasks - threshold
        # Before the claim the counter went 1..k (k >= threshold); the claim left k - threshold; later increments
        # continued from there up to the final 54. Some k must explain every count returned, none lost or doubled.
        counts = sorted(count for count, _ in results)
        explanations = [
            k
            for k in range(threshold, tasks + 1)
            if counts == sorted(list(range(1, k + 1)) + list(range(k - threshold + 1, tasks - threshold + 1)))
        ]
        assert explanations, f"an increment was lost or doubled: {counts}"

    async def test_threshold_claim_waits_for_the_count(self, uow_factory: UowFactory) -> None:
        now = datetime.now(UTC)
        await _teach(uow_factory)
        for expected in range(1, 4):
            async with uow_factory() as uow:
                assert (await uow.training_state.count_analysis()).analyses_since_trigger == expected
                await uow.commit()
        async with uow_factory() as uow:
            assert not await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
            assert (await uow.training_state.count_analysis()).analyses_since_trigger == 4
            assert await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert state.analyses_since_trigger == 0 and state.running

    async def test_threshold_claim_keeps_the_surplus_and_manual_claim_resets(self, uow_factory: UowFactory) -> None:
        now = datetime.now(UTC)
        await _teach(uow_factory)
        async with uow_factory() as uow:
            for _ in range(7):
                await uow.training_state.count_analysis()
            assert await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.training_state.get()).analyses_since_trigger == 3
            await uow.training_state.release(error=None)
            assert not await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
            assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert state.analyses_since_trigger == 0 and state.running

    async def test_every_change_to_the_training_data_moves_the_label_revision(self, uow_factory: UowFactory) -> None:
        async def revision() -> int:
            async with uow_factory() as uow:
                return (await uow.training_state.get()).label_revision

        assert await revision() == 0
        async with uow_factory() as uow:
            first, _, _ = await uow.labelled_tickets.add_many([_ticket(n) for n in range(3)])
            await uow.commit()
        assert await revision() == 3
        async with uow_factory() as uow:
            assert await uow.labelled_tickets.set_status(first.id or 0, TicketStatus.EXCLUDED, "admin", NOW)
            await uow.commit()
        assert await revision() == 4
        async with uow_factory() as uow:
            assert await uow.labelled_ticket_curation.change_category(first.id or 0, "Storage")
            await uow.commit()
        assert await revision() == 5
        async with uow_factory() as uow:  # nothing changed, or rolled back: the revision stays
            assert not await uow.labelled_tickets.set_status(10**9, TicketStatus.EXCLUDED, "admin", NOW)
            await uow.labelled_tickets.add_many([_ticket(9)])
        assert await revision() == 5

    async def test_a_due_count_with_nothing_new_is_skipped_not_claimed(self, uow_factory: UowFactory) -> None:
        now = datetime.now(UTC)
        async with uow_factory() as uow:
            await uow.training_state.count_analysis(5)
            assert not await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
            assert await uow.training_state.skip_trigger(4)
            assert not await uow.training_state.skip_trigger(4)
            await uow.training_state.count_analysis(9)  # a batch crossing the threshold twice: two skipped triggers
            assert await uow.training_state.skip_trigger(4)
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert (state.analyses_since_trigger, state.skipped_triggers, state.running) == (2, 3, False)
        await _teach(uow_factory)
        async with uow_factory() as uow:  # something new: a due count is claimed, never skipped
            await uow.training_state.count_analysis(3)
            assert not await uow.training_state.skip_trigger(4)
            assert await uow.training_state.claim(now, threshold=4, stale_before=now - STALE_AFTER)
            await uow.commit()

    async def test_enough_new_labels_claim_before_the_count_is_due(self, uow_factory: UowFactory) -> None:
        now = datetime.now(UTC)
        await _teach(uow_factory, 2)
        async with uow_factory() as uow:
            assert not await uow.training_state.claim(now, 100, now - STALE_AFTER, min_new_labels=3)
            assert not await uow.training_state.claim(now, 100, now - STALE_AFTER, min_new_labels=0)
            await uow.commit()
        await _teach(uow_factory)
        async with uow_factory() as uow:
            assert await uow.training_state.claim(now, 100, now - STALE_AFTER, min_new_labels=3)
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert state.running and state.analyses_since_trigger == 0 and state.claimed_label_revision == 3

    async def test_what_a_run_claimed_counts_as_learned_once_it_ends(self, uow_factory: UowFactory) -> None:
        now = datetime.now(UTC)
        await _teach(uow_factory, 2)
        async with uow_factory() as uow:
            assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
            await uow.commit()
        await _teach(uow_factory)  # arrives while the run trains: still new afterwards
        async with uow_factory() as uow:
            await uow.training_state.mark_trained(now, 2)
            await uow.training_state.release(error=None)
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert (state.trained_label_revision, state.new_labels) == (2, 1)
        assert state.last_full_at == now and state.last_full_tickets == 2
        async with uow_factory() as uow:  # an update leaves the last full training as it was
            assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
            await uow.training_state.mark_trained()
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert state.new_labels == 0 and state.last_full_tickets == 2

    async def test_a_stale_running_mark_can_be_claimed_again(self, uow_factory: UowFactory) -> None:
        started = datetime(2025, 5, 1, 8, 0, 0, 123456, tzinfo=UTC)
        async with uow_factory() as uow:
            assert await uow.training_state.claim(started, threshold=None, stale_before=started - STALE_AFTER)
            await uow.commit()

        soon = started + timedelta(hours=1)
        async with uow_factory() as uow:
            assert not await uow.training_state.claim(soon, threshold=None, stale_before=soon - STALE_AFTER)
            await uow.commit()

        later = started + STALE_AFTER + timedelta(microseconds=1)
        async with uow_factory() as uow:
            assert await uow.training_state.claim(later, threshold=None, stale_before=later - STALE_AFTER)
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert state.running and state.running_since == later and state.last_triggered_at == later

    async def test_release_clears_running_and_records_the_error(self, uow_factory: UowFactory) -> None:
        now = datetime.now(UTC)
        async with uow_factory() as uow:
            assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
            await uow.training_state.release(error="could not queue: broker down")
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
            assert not state.running and state.running_since is None
            assert state.last_error == "could not queue: broker down" and state.last_triggered_at == now
            assert await uow.training_state.claim(now, threshold=None, stale_before=now - STALE_AFTER)
            await uow.training_state.release(error=None)
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.training_state.get()).last_error == "could not queue: broker down"
            await uow.training_state.record_error("export failed")
            await uow.commit()
        async with uow_factory() as uow:
            state = await uow.training_state.get()
        assert state.last_error == "export failed" and not state.running

    async def test_labelled_ticket_round_trip_with_every_field_and_with_none(self, uow_factory: UowFactory) -> None:
        full = _ticket(
            1,
            text="Löschen Sie bitte mein Konto 🙏 " + "y" * 12_000,
            category="A" * 100,
            source="s" * 50,
            priority=Priority.LOW,
            team_id=17,
            created_at=datetime(2025, 1, 1, 23, 30, 0, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        )
        bare = _ticket(2)
        high = _ticket(3, priority=Priority.HIGH, source="feedback")
        async with uow_factory() as uow:
            assert await uow.labelled_tickets.count() == 0
            assert await uow.labelled_tickets.newest_id() is None
            assert await uow.labelled_tickets.add_many([]) == []
            stored = await uow.labelled_tickets.add_many([full, bare, high])
            await uow.commit()
        assert [item.id is not None for item in stored] == [True] * 3
        ids = [item.id or 0 for item in stored]
        assert ids == sorted(ids) and len(set(ids)) == 3
        assert [replace(item, id=None) for item in stored] == [full, bare, high]

        async with uow_factory() as uow:
            for item in stored:
                loaded = await uow.labelled_tickets.get(item.id or 0)
                assert loaded == item
            assert await uow.labelled_tickets.get(max(ids) + 1) is None
            assert await uow.labelled_tickets.count() == 3
            assert await uow.labelled_tickets.newest_id() == max(ids)
            assert list(await uow.labelled_ticket_queries.list_page(0, 2)) == [stored[2], stored[1]]
            assert list(await uow.labelled_ticket_queries.list_page(2, 10)) == [stored[0]]
            assert list(await uow.labelled_ticket_queries.list_page(3, 10)) == []
            assert list(await uow.labelled_tickets.all_for_training()) == stored

    async def test_mislabel_candidates_round_trip_listed_unresolved_first_and_resolved(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            tickets = await uow.labelled_tickets.add_many([_ticket(index) for index in range(5)])
            await uow.commit()
        ids = [ticket.id or 0 for ticket in tickets]
        rows = [
            MislabelCandidate(3, ids[0], "Hardware", "Access", 0.1234567890123457),
            MislabelCandidate(3, ids[1], "Access", "Hardware", 1e-12),
            MislabelCandidate(3, ids[2], "A" * 100, "B" * 100, 0.25),
            MislabelCandidate(3, ids[3], "Access", "HR Support", 0.1234567890123457),
            MislabelCandidate(2, ids[4], "Access", "Hardware", 0.0),
        ]
        async with uow_factory() as uow:
            assert await uow.mislabel_candidates.latest_run_id() is None
            assert await uow.mislabel_candidates.add_many([]) == []
            stored = await uow.mislabel_candidates.add_many(rows)
            await uow.commit()
        assert [replace(c, id=None) for c in stored] == rows and len({c.id for c in stored}) == 5
        a, b, c, d, old = stored
        async with uow_factory() as uow:
            assert [await uow.mislabel_candidates.get(x.id or 0) for x in stored] == stored
            assert await uow.mislabel_candidates.get(max(x.id or 0 for x in stored) + 1) is None
            assert await uow.mislabel_candidates.latest_run_id() == 3
            assert list(await uow.mislabel_candidates.list_page(3, None, 0, 10)) == [b, a, d, c]
            assert list(await uow.mislabel_candidates.list_page(3, "Access", 1, 1)) == [d]
            assert await uow.mislabel_candidates.count(3, None) == 4
            assert await uow.mislabel_candidates.count(3, "Access") == 2
            assert await uow.mislabel_candidates.count(3, "Storage") == 0
            resolved = b.resolve(Resolution.CONFIRMED, "alice", NOW)
            await uow.mislabel_candidates.record_resolution(resolved)
            await uow.mislabel_candidates.record_resolution(a.resolve(Resolution.EXCLUDED, "bob", NOW))
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.mislabel_candidates.get(b.id or 0) == resolved
            assert list(await uow.mislabel_candidates.list_page(3, None, 0, 10)) == [
                d,
                c,
                resolved,
                a.resolve(Resolution.EXCLUDED, "bob", NOW),
            ]
            assert await uow.mislabel_candidates.unresolved_per_label(3) == {"A" * 100: 1, "Access": 1}
            assert await uow.mislabel_candidates.unresolved_per_label(2) == {"Access": 1}
            assert await uow.mislabel_candidates.confirmed_ticket_ids() == {ids[1]}
            assert list(await uow.mislabel_candidates.list_page(2, None, 0, 10)) == [old]

    async def test_curation_excludes_and_relabels_one_ticket(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            first, second = await uow.labelled_tickets.add_many([_ticket(1), _ticket(2)])
            await uow.commit()
        missing = (second.id or 0) + 1
        async with uow_factory() as uow:
            curation = uow.labelled_ticket_curation
            assert await curation.status(first.id or 0) == "active"
            assert await uow.labelled_tickets.set_status(first.id or 0, TicketStatus.EXCLUDED, "carol", NOW)
            assert await curation.change_category(second.id or 0, "Storage")
            assert not await uow.labelled_tickets.set_status(missing, TicketStatus.EXCLUDED, "carol", NOW)
            assert not await curation.change_category(missing, "Storage")
            assert await curation.status(missing) is None
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.labelled_ticket_curation.status(first.id or 0) == "excluded"
            assert await uow.labelled_ticket_curation.status(second.id or 0) == "active"
            excluded = await uow.labelled_tickets.get(first.id or 0)
            assert excluded is not None and excluded.category == first.category
            assert (excluded.status, excluded.status_changed_by) == (TicketStatus.EXCLUDED, "carol")
            assert await uow.labelled_tickets.get(second.id or 0) == replace(second, category="Storage")

    async def test_an_excluded_ticket_is_not_trained_on(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            kept, excluded = await uow.labelled_tickets.add_many([_ticket(1), _ticket(2)])
            await uow.labelled_tickets.set_status(excluded.id or 0, TicketStatus.EXCLUDED, "carol", NOW)
            await uow.commit()
        async with uow_factory() as uow:
            assert [t.id for t in await uow.labelled_tickets.all_for_training()] == [kept.id]

    async def test_add_many_assigns_ids_in_order_across_batches_and_large_texts(self, uow_factory: UowFactory) -> None:
        """2,500 short tickets cross the 1,000-row batch; 450 tickets of 40,000 bytes (18 MB) would overflow
        MariaDB's default 16 MiB packet in one statement, so they must be split by size too."""
        short = [_ticket(index, text=f"short ticket number {index}") for index in range(2_500)]
        long = [_ticket(index, text=f"{index} " + "🔥" * 10_000) for index in range(450)]
        assert sum(len(ticket.text.encode()) for ticket in long) > 4 * INSERT_BATCH_BYTES
        async with uow_factory() as uow:
            stored = await uow.labelled_tickets.add_many(short)
            stored += await uow.labelled_tickets.add_many(long)
            await uow.commit()
        ids = [item.id or 0 for item in stored]
        assert ids == sorted(ids) and len(set(ids)) == len(ids) and ids[0] > 0
        assert [replace(item, id=None) for item in stored] == short + long
        async with uow_factory() as uow:
            assert list(await uow.labelled_tickets.all_for_training()) == stored

    async def test_a_queued_run_starts_once_and_unfinished_lists_queued_and_running(
        self, uow_factory: UowFactory
    ) -> None:
        now = datetime(2025, 7, 1, 13, 0, 0, 7, tzinfo=UTC)
        async with uow_factory() as uow:
            queued = await uow.training_runs.add(_run())
            other = await uow.training_runs.add(_run())
            done = await uow.training_runs.add(_run(status=RunStatus.ABANDONED, heartbeat_at=now, error="silent"))
            await uow.commit()
        assert queued.id is not None and other.id is not None and done.id is not None
        async with uow_factory() as uow:
            assert await uow.training_runs.get(done.id) == done
            started = await uow.training_runs.start(queued.id, now)
            assert started is not None and started.status is RunStatus.RUNNING
            assert started.started_at == now and started.heartbeat_at == now
            assert started.progress == TrainingProgress("export", 0.0, None)
            assert await uow.training_runs.start(queued.id, now) is None, "a running run does not start again"
            assert await uow.training_runs.start(done.id, now) is None
            assert await uow.training_runs.start(done.id + 100, now) is None
            await uow.commit()
        async with uow_factory() as uow:
            assert [run.id for run in await uow.training_runs.unfinished()] == [queued.id, other.id]
            assert await uow.training_runs.get(queued.id) == started

    async def test_clear_error_forgets_the_last_error(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            await uow.training_state.record_error("broker down")
            await uow.commit()
        async with uow_factory() as uow:
            await uow.training_state.clear_error()
            await uow.commit()
        async with uow_factory() as uow:
            assert (await uow.training_state.get()).last_error is None

    async def test_training_run_round_trip_and_progress_updates(self, uow_factory: UowFactory) -> None:
        queued = _run()
        async with uow_factory() as uow:
            assert await uow.training_runs.last_succeeded() is None
            assert list(await uow.training_runs.list_recent(5)) == []
            stored = await uow.training_runs.add(queued)
            await uow.commit()
        assert stored.id is not None and replace(stored, id=None) == queued

        async with uow_factory() as uow:
            loaded = await uow.training_runs.get(stored.id)
            assert loaded == stored
            assert loaded is not None and loaded.progress == TrainingProgress("queued", 0.0, None)
            assert loaded.metrics == RunReport() and loaded.promoted is False and loaded.status is RunStatus.QUEUED
            assert await uow.training_runs.get(stored.id + 1) is None
            running = replace(
                stored,
                status=RunStatus.RUNNING,
                started_at=datetime(2025, 7, 1, 14, 0, 0, 999999, tzinfo=timezone(timedelta(hours=2))),
                progress=TrainingProgress("train", 42.5, 0.693147180559945),
            )
            await uow.training_runs.update(running)
            await uow.commit()

        async with uow_factory() as uow:
            loaded = await uow.training_runs.get(stored.id)
            assert loaded == running
            assert loaded is not None and loaded.progress.loss == 0.693147180559945
            finished = replace(
                running,
                status=RunStatus.SUCCEEDED,
                progress=TrainingProgress("done", 100.0),
                finished_at=datetime(2025, 7, 1, 13, 0, tzinfo=UTC),
                labelled_tickets=43_027,
                newest_ticket_id=2**40,
                model_version_id=9,
                promoted=True,
                decision="promoted: macro-F1 0.81 > 0.79 " + "d" * 70_000,
                metrics=RunReport(
                    accuracy=0.8125,
                    macro_f1=0.79,
                    ece=0.021,
                    test_size=4303,
                    calibration=trust_report(),
                    stages=(
                        TrainingStage("linear", 8, True, "promoted", 0.8, 0.78, 0.03, 61.5),
                        TrainingStage("hybrid"),
                    ),
                    plan=TrainingPlan(PlanKind.UPDATE, "+12 labelled tickets since the last full training"),
                    new_tickets=12,
                    replay=500,
                    mislabels=MislabelSummary({"Access": 3, "ünïcode": 1}),
                ),
            )
            await uow.training_runs.update(finished)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.training_runs.get(stored.id) == finished
        failed = replace(_run(trigger="manual"), status=RunStatus.FAILED, error="RuntimeError: " + "e" * 70_000)
        async with uow_factory() as uow:
            stored_failed = await uow.training_runs.add(failed)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.training_runs.get(stored_failed.id or 0) == stored_failed

    async def test_training_runs_list_recent_and_last_succeeded(self, uow_factory: UowFactory) -> None:
        statuses = [
            RunStatus.SUCCEEDED,
            RunStatus.FAILED,
            RunStatus.SUCCEEDED,
            RunStatus.SKIPPED,
            RunStatus.RUNNING,
            RunStatus.QUEUED,
        ]
        async with uow_factory() as uow:
            runs = [await uow.training_runs.add(_run(status=status)) for status in statuses]
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.training_runs.list_recent(4)) == runs[::-1][:4]
            assert list(await uow.training_runs.list_recent(100)) == runs[::-1]
            assert await uow.training_runs.last_succeeded() == runs[2]
            await uow.training_runs.update(replace(runs[4], status=RunStatus.SUCCEEDED))
            assert await uow.training_runs.last_succeeded() == replace(runs[4], status=RunStatus.SUCCEEDED)

    async def test_model_version_round_trip_with_big_metrics(self, uow_factory: UowFactory) -> None:
        full = _version(
            "bert-2025-08-01T10-00",
            location="/var/lib/ticket-utils/models/" + "p" * 900,
            labels=tuple(f"label {index} ünïcode" for index in range(120)),
            status=ModelStatus.ACTIVE,
            metrics=_big_metrics(120),
            training_size=34_421,
            training_run_id=12,
            activated_at=datetime(2025, 8, 1, 11, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-7))),
            note="promoted: better macro-F1",
        )
        bare = _version("bare", labels=())
        async with uow_factory() as uow:
            assert await uow.model_versions.active() is None
            stored = [await uow.model_versions.add(version) for version in (full, bare)]
            await uow.commit()
        assert [replace(item, id=None) for item in stored] == [full, bare]
        async with uow_factory() as uow:
            for item in stored:
                loaded = await uow.model_versions.get(item.id or 0)
                assert loaded == item
            assert await uow.model_versions.get(max(item.id or 0 for item in stored) + 1) is None
            assert await uow.model_versions.active() == stored[0]

    async def test_model_versions_active_update_and_list_order(self, uow_factory: UowFactory) -> None:
        day = datetime(2025, 9, 1, tzinfo=UTC)
        async with uow_factory() as uow:
            old = await uow.model_versions.add(_version("v1", status=ModelStatus.ACTIVE, activated_at=day))
            new = await uow.model_versions.add(_version("v2", status=ModelStatus.REJECTED))
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.model_versions.active() == old
            assert list(await uow.model_versions.list()) == [new, old]
            retired = replace(old, status=ModelStatus.RETIRED, note="replaced by v2")
            activated = replace(new, status=ModelStatus.ACTIVE, activated_at=day + timedelta(days=1))
            await uow.model_versions.update(retired)
            await uow.model_versions.update(activated)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.model_versions.active() == activated
            assert list(await uow.model_versions.list()) == [activated, retired]
            # Inconsistent data with several ACTIVE versions: the most recently activated one serves.
            later = await uow.model_versions.add(
                _version("v3", status=ModelStatus.ACTIVE, activated_at=day + timedelta(days=3))
            )
            v4 = _version("v4", status=ModelStatus.ACTIVE, activated_at=day + timedelta(days=2))
            await uow.model_versions.add(v4)
            await uow.model_versions.add(_version("v5", status=ModelStatus.ACTIVE, activated_at=None))
            assert await uow.model_versions.active() == later
            await uow.model_versions.update(replace(later, status=ModelStatus.BAD))
            assert (await uow.model_versions.get(later.id or 0)) == replace(later, status=ModelStatus.BAD)
            assert [v.name for v in await uow.model_versions.list()] == ["v5", "v4", "v3", "v2", "v1"]

    async def test_deleting_a_company_deletes_its_teams_only(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            acme = await uow.companies.add(Company(None, "Acme"))
            globex = await uow.companies.add(Company(None, "Globex"))
            assert acme.id and globex.id
            await uow.teams.add(Team(None, acme.id, "A1", None, "", (1.0,)))
            await uow.teams.add(Team(None, acme.id, "A2", None, "", (1.0,)))
            kept = await uow.teams.add(Team(None, globex.id, "G1", None, "", (1.0,)))
            await uow.analyses.add(_analysis(acme.id))
            await uow.commit()

        async with uow_factory() as uow:
            await uow.companies.delete(acme.id)
            await uow.commit()

        async with uow_factory() as uow:
            assert await uow.companies.list() == [globex]
            assert await uow.teams.list_for_company(acme.id) == []
            assert await uow.teams.list_for_company(globex.id) == [kept]
            assert await uow.analyses.count() == 1, "analyses outlive their company"

    async def test_link_feedback_records_the_last_labelled_ticket_and_waits_for_commit(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            confirmed = await uow.analyses.add(_analysis(1))
            untouched = await uow.analyses.add(_analysis(2))
            first, second = await uow.labelled_tickets.add_many([_ticket(1, source="feedback"), _ticket(2)])
            assert confirmed.id and untouched.id and first.id and second.id
            assert await uow.analyses.feedback_ticket_id(confirmed.id) is None
            await uow.analyses.link_feedback(confirmed.id, first.id)
            await uow.commit()

        async def links() -> list[int | None]:
            async with uow_factory() as uow:
                return [await uow.analyses.feedback_ticket_id(item.id or 0) for item in (confirmed, untouched)]

        assert await links() == [first.id, None]
        async with uow_factory() as uow:
            await uow.analyses.link_feedback(confirmed.id, second.id)
            await uow.commit()
            assert await uow.analyses.get(confirmed.id) == confirmed, "the link does not change the analysis"
        assert await links() == [second.id, None]
        async with uow_factory() as uow:
            await uow.analyses.link_feedback(untouched.id, first.id)
            # Not committed: nothing changes.
        assert await links() == [second.id, None]
        async with uow_factory() as uow:
            assert await uow.analyses.feedback_ticket_id(424242) is None

    async def test_labelled_tickets_are_paged_newest_first(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            assert list(await uow.labelled_ticket_queries.list_page(0, 10)) == []
            stored = await uow.labelled_tickets.add_many([_ticket(index) for index in range(5)])
            await uow.commit()
        async with uow_factory() as uow:
            assert list(await uow.labelled_ticket_queries.list_page(0, 2)) == [stored[4], stored[3]]
            assert list(await uow.labelled_ticket_queries.list_page(3, 10)) == [stored[1], stored[0]]
            assert list(await uow.labelled_ticket_queries.list_page(5, 10)) == []

    @pytest.mark.parametrize(
        ("criteria", "expected"),
        [
            (AnalysisFilter(), [5, 4, 3, 2, 1]),
            (AnalysisFilter(company_id=2), [4]),
            (AnalysisFilter(category="HARDWARE"), [3, 2, 1]),
            (AnalysisFilter(category="hardware"), [3, 2, 1]),
            (AnalysisFilter(priority=Priority.LOW), [5]),
            (AnalysisFilter(need_admin=True), [3]),
            (AnalysisFilter(need_admin=False), [4, 2, 1]),
            (AnalysisFilter(created_from=NOW - timedelta(days=1)), [5, 4, 3, 2]),
            (AnalysisFilter(created_before=NOW - timedelta(days=1)), [1]),
            (
                AnalysisFilter(
                    company_id=1, category="hardware", need_admin=False, created_from=NOW - timedelta(days=5)
                ),
                [2, 1],
            ),
        ],
    )
    async def test_analysis_queries_filter_page_and_count_like_the_domain_rule(
        self, uow_factory: UowFactory, criteria: AnalysisFilter, expected: list[int]
    ) -> None:
        items = [
            _filter_analysis(1, "Hardware", Priority.HIGH, False, NOW - timedelta(days=3)),
            _filter_analysis(1, "Hardware", Priority.HIGH, False, NOW - timedelta(hours=2)),
            _filter_analysis(1, "Hardware", Priority.MEDIUM, True, NOW),
            _filter_analysis(2, "Access", Priority.HIGH, False, NOW),
            _filter_analysis(1, None, Priority.LOW, None, NOW),
        ]
        async with uow_factory() as uow:
            ids = [(await uow.analyses.add(item)).id for item in items]
            await uow.commit()
        position = {analysis_id: index + 1 for index, analysis_id in enumerate(ids)}
        async with uow_factory() as uow:
            page = await uow.analysis_queries.list_page(criteria, 0, 50)
            assert [position[item.id] for item in page] == expected
            assert [criteria.matches(item) for item in page] == [True] * len(page)
            assert await uow.analysis_queries.count_matching(criteria) == len(expected)
            assert [position[item.id] for item in await uow.analysis_queries.list_page(criteria, 1, 2)] == expected[1:3]
            assert await uow.analysis_queries.count_since(NOW - timedelta(hours=3)) == 4
            assert await uow.analysis_queries.count_since(NOW + timedelta(microseconds=1)) == 0

    async def test_revoke_sessions_raises_the_generation_and_update_never_lowers_it(
        self, uow_factory: UowFactory
    ) -> None:
        async with uow_factory() as uow:
            stored = await uow.admin_users.add(AdminUser("carol", "hash", AdminRole.ADMIN, NOW))
            await uow.commit()
        assert stored.id is not None and stored.session_generation == 0
        async with uow_factory() as uow:
            await uow.admin_users.revoke_sessions(stored.id)
            await uow.admin_users.revoke_sessions(stored.id)
            await uow.admin_users.revoke_sessions(stored.id + 1000)
            await uow.commit()
        async with uow_factory() as uow:
            # A login that read the user before the revocations writes it back: the generation stays.
            await uow.admin_users.update(replace(stored, last_login_at=NOW))
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.admin_users.get(stored.id)
        assert loaded == replace(stored, last_login_at=NOW, session_generation=2)

    async def test_admin_users_round_trip_and_names_are_unique(self, uow_factory: UowFactory) -> None:
        user = AdminUser("alice", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", AdminRole.ADMIN, NOW)
        async with uow_factory() as uow:
            assert await uow.admin_users.count() == 0
            stored = await uow.admin_users.add(user)
            await uow.commit()
        assert stored.id is not None and replace(stored, id=None) == user
        async with uow_factory() as uow:
            assert await uow.admin_users.get(stored.id) == stored
            assert await uow.admin_users.get(stored.id + 1) is None
            assert await uow.admin_users.get_by_username("alice") == stored
            assert await uow.admin_users.get_by_username("bob") is None
            await uow.admin_users.update(replace(stored, last_login_at=NOW + timedelta(hours=1), is_active=False))
            await uow.commit()
        async with uow_factory() as uow:
            again = await uow.admin_users.get(stored.id)
            assert again is not None and again.last_login_at == NOW + timedelta(hours=1) and not again.is_active
            assert await uow.admin_users.count() == 1
        async with uow_factory() as uow:
            with pytest.raises(Conflict):
                await uow.admin_users.add(replace(user, password_hash="other"))
            # The failed insert undid itself only: the transaction is still usable.
            bob = await uow.admin_users.add(replace(user, username="bob"))
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.admin_users.count() == 2
            assert await uow.admin_users.get_by_username("bob") == bob

    async def test_login_failures_count_within_the_window_clear_forget_and_prune(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            ids = [await uow.login_failures.record("user:alice", NOW - timedelta(minutes=m)) for m in (30, 10, 5, 1)]
            other = await uow.login_failures.record("address:10.0.0.1", NOW - timedelta(minutes=1))
            await uow.commit()
        assert len(set(ids + [other])) == 5, "attempt ids are unique across keys"
        window = NOW - timedelta(minutes=15)
        async with uow_factory() as uow:
            recent = await uow.login_failures.recent("user:alice", window)
            assert (recent.count, recent.last_at) == (3, NOW - timedelta(minutes=1))
            without_last = await uow.login_failures.recent("user:alice", window, excluding=ids[3])
            assert (without_last.count, without_last.last_at) == (2, NOW - timedelta(minutes=5))
            assert (await uow.login_failures.recent("user:alice", window, excluding=other)).count == 3
            nobody = await uow.login_failures.recent("user:nobody", window)
            assert (nobody.count, nobody.last_at) == (0, None)
            await uow.login_failures.prune(window)
            await uow.login_failures.clear("address:10.0.0.1")
            await uow.login_failures.forget(ids[2])
            await uow.commit()
        async with uow_factory() as uow:
            everything = NOW - timedelta(days=1)
            assert (await uow.login_failures.recent("user:alice", everything)).count == 2
            assert (await uow.login_failures.recent("address:10.0.0.1", everything)).count == 0

    async def test_concurrent_wrong_guesses_reach_the_password_check_at_most_limit_times(
        self, uow_factory: UowFactory
    ) -> None:
        """20 wrong guesses at once, from 20 addresses, limit 5 per username: each attempt is recorded and
        committed before the lockout is read, so at most 5 get to verify a password; the rest are locked out,
        and the right password is locked out after them."""
        async with uow_factory() as uow:
            await uow.admin_users.add(AdminUser("alice", "hashed:right password", AdminRole.ADMIN, NOW))
            await uow.commit()
        hasher = _YieldingHasher()
        policy = login_policy(max_failures_per_user=5, max_failures_per_address=100)
        reads = getattr(uow_factory, "for_reads", lambda: uow_factory)()  # as the container wires it
        login = AuthenticateAdmin(uow_factory, hasher, FixedClock(NOW), policy, reads)

        async def guess(index: int) -> BaseException | None:
            try:
                await login.execute("alice", f"wrong guess {index}", f"10.0.0.{index}")
            except (InvalidCredentials, LoginThrottled) as refused:
                return refused
            return None

        outcomes = await asyncio.gather(*(guess(index) for index in range(20)))

        wrong = sum(isinstance(outcome, InvalidCredentials) for outcome in outcomes)
        locked = sum(isinstance(outcome, LoginThrottled) for outcome in outcomes)
        assert len(hasher.verified) == wrong and 1 <= wrong <= 5, f"{len(hasher.verified)} passwords were checked"
        assert wrong + locked == 20
        async with uow_factory() as uow:
            failures = await uow.login_failures.recent(user_key("alice"), NOW - timedelta(days=1))
        assert failures.count == wrong, "a refused attempt checked nothing and is not kept as a failure"
        if wrong == 5:
            with pytest.raises(LoginThrottled):
                await login.execute("alice", "right password", "10.1.1.1")

    # Decisions (issue 9): the company's policy, an analysis's decisions, human labels, ticket status, the review
    # queue and decision quality.

    async def test_company_decision_policy_round_trip(self, uow_factory: UowFactory) -> None:
        policy = DecisionPolicy(DecisionMode.RECOMMEND, DecisionMode.MONITOR, 0.875, True)
        async with uow_factory() as uow:
            strict = await uow.companies.add(Company(None, "Strict", CompanyFlags(), policy))
            default = await uow.companies.add(Company(None, "Default"))
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.companies.get(strict.id or 0) == strict and strict.policy == policy
            assert (await uow.companies.get(default.id or 0)) == default and default.policy == DecisionPolicy()
            changed = replace(strict, policy=DecisionPolicy(target_precision=0.5))
            await uow.companies.update(changed)
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.companies.get(strict.id or 0) == changed

    async def test_analysis_decisions_and_reasons_round_trip(self, uow_factory: UowFactory) -> None:
        category = CategoryPrediction(
            "Hardware", 0.8125, "bert-v7", (LabelScore("Network", 0.125),), None, ("printer", "fire")
        )
        pending = _analysis(
            1,
            category=category,
            assignment=TeamAssignment(None, True, 0.5, RoutingReason.CATEGORY_MATCH),
            decisions=AnalysisDecisions(
                Decision.REVIEW, CategoryReason.BELOW_THRESHOLD, Decision.REVIEW, 42, review_pending=True
            ),
        )
        monitored = _analysis(
            2,
            decisions=AnalysisDecisions(
                Decision.REVIEW, CategoryReason.MONITOR_MODE, Decision.AUTO, 42, False, category_answered=False
            ),
        )
        by_person = _analysis(
            3,
            assignment=TeamAssignment(42, False, 0.6, RoutingReason.HUMAN_LABEL),
            decisions=AnalysisDecisions(Decision.AUTO, CategoryReason.HUMAN_LABEL, Decision.AUTO, 42),
        )
        async with uow_factory() as uow:
            stored = [await uow.analyses.add(item) for item in (pending, monitored, by_person)]
            await uow.commit()
        async with uow_factory() as uow:
            for item in stored:
                assert await uow.analyses.get(item.id or 0) == item
            (ticket,) = await uow.labelled_tickets.add_many([_ticket(1)])
            await uow.analyses.link_feedback(stored[0].id or 0, ticket.id or 0)
            await uow.commit()
        async with uow_factory() as uow:
            loaded = await uow.analyses.get(stored[0].id or 0)
            assert loaded is not None and not loaded.decisions.review_pending, "feedback clears the review"

    async def test_human_labels_are_one_per_company_and_text_and_put_replaces(self, uow_factory: UowFactory) -> None:
        first = HumanLabel(1, text_hash("Printer on fire"), "Hardware", 11, NOW)
        other = HumanLabel(1, text_hash("VPN drops"), "Network", 14, NOW)
        async with uow_factory() as uow:
            assert await uow.human_labels.get_many(1, [first.text_hash]) == {}
            await uow.human_labels.put(first)
            await uow.human_labels.put(replace(first, company_id=2, category="Facilities", labelled_ticket_id=12))
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.human_labels.get_many(1, [first.text_hash]) == {first.text_hash: first}
            assert (await uow.human_labels.get_many(2, [first.text_hash]))[first.text_hash].category == "Facilities"
            assert await uow.human_labels.get_many(1, [text_hash("printer on fire")]) == {}
            later = replace(first, category="Access", labelled_ticket_id=13, created_at=NOW + timedelta(minutes=1))
            await uow.human_labels.put(later)
            await uow.human_labels.put(other)
            await uow.commit()
        async with uow_factory() as uow:
            asked = [first.text_hash, text_hash("never labelled"), other.text_hash, first.text_hash]
            assert await uow.human_labels.get_many(1, asked) == {first.text_hash: later, other.text_hash: other}
            assert await uow.human_labels.get_many(3, asked) == {}
            assert await uow.human_labels.get_many(1, []) == {}

    async def test_labelled_ticket_status_company_and_training_selection(self, uow_factory: UowFactory) -> None:
        async with uow_factory() as uow:
            imported, feedback, dropped = await uow.labelled_tickets.add_many(
                [
                    _ticket(0),
                    _ticket(
                        1, source="feedback", company_id=3, status_changed_by="service-api-key", status_changed_at=NOW
                    ),
                    _ticket(2),
                ]
            )
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.labelled_tickets.get(feedback.id or 0) == feedback
            assert feedback.status is TicketStatus.ACTIVE and feedback.company_id == 3
            await uow.labelled_tickets.set_status(feedback.id or 0, TicketStatus.SUPERSEDED, "admin:alice", NOW)
            await uow.labelled_tickets.set_status(dropped.id or 0, TicketStatus.EXCLUDED, "admin:bob", NOW)
            await uow.labelled_tickets.set_status(424242, TicketStatus.EXCLUDED, "admin:bob", NOW)
            await uow.commit()
        async with uow_factory() as uow:
            superseded = await uow.labelled_tickets.get(feedback.id or 0)
            assert superseded == replace(
                feedback, status=TicketStatus.SUPERSEDED, status_changed_by="admin:alice", status_changed_at=NOW
            )
            assert [t.id for t in await uow.labelled_tickets.all_for_training()] == [imported.id]
            assert list(await uow.labelled_tickets.active_categories()) == [imported.category]

    async def test_the_review_queue_is_pending_oldest_first_and_filtered(self, uow_factory: UowFactory) -> None:
        def item(company_id: int, label: str, pending: bool) -> TicketAnalysis:
            prediction = CategoryPrediction(label, 0.5, "bert-v7")
            return _analysis(
                company_id,
                category=prediction,
                decisions=AnalysisDecisions(Decision.REVIEW if pending else Decision.AUTO, None, None, None, pending),
            )

        async with uow_factory() as uow:
            added = [
                await uow.analyses.add(item(c, label, p))
                for c, label, p in [
                    (1, "Hardware", True),
                    (1, "Access", True),
                    (2, "Hardware", True),
                    (1, "Hardware", False),
                ]
            ]
            await uow.commit()
        ids = [a.id for a in added]
        async with uow_factory() as uow:
            queue = uow.review_queue
            assert await queue.count(None, None) == 3
            assert [a.id for a in await queue.list_page(None, None, 0, 10)] == ids[:3]
            assert [a.id for a in await queue.list_page(1, None, 0, 10)] == ids[:2]
            assert [a.id for a in await queue.list_page(None, "HARDWARE", 0, 10)] == [ids[0], ids[2]]
            assert await queue.count(1, "hardware") == 1
            assert [a.id for a in await queue.list_page(None, None, 1, 1)] == [ids[1]]
            assert await queue.list_page(None, None, 0, 10) == added[:3]

    async def test_decision_quality_counts_automatic_decisions_and_their_feedback(
        self, uow_factory: UowFactory
    ) -> None:
        def item(label: str, decision: Decision) -> TicketAnalysis:
            prediction = CategoryPrediction(label, 0.9, "bert-v7")
            return _analysis(1, category=prediction, decisions=AnalysisDecisions(decision))

        async with uow_factory() as uow:
            auto_ok, auto_wrong, _, review_wrong, _ = [
                await uow.analyses.add(item(label, decision))
                for label, decision in [
                    ("Hardware", Decision.AUTO),
                    ("Hardware", Decision.AUTO),
                    ("Hardware", Decision.AUTO),
                    ("Hardware", Decision.REVIEW),
                    ("Access", Decision.REVIEW),
                ]
            ]
            await uow.analyses.add(_analysis(1, category=None))
            ok, wrong, also_wrong = await uow.labelled_tickets.add_many(
                [
                    _ticket(0, category="Hardware"),
                    _ticket(1, category="hardware"),
                    _ticket(2, category="Access"),
                ]
            )
            await uow.analyses.link_feedback(auto_ok.id or 0, ok.id or 0)
            await uow.analyses.link_feedback(auto_wrong.id or 0, wrong.id or 0)
            await uow.analyses.link_feedback(review_wrong.id or 0, also_wrong.id or 0)
            await uow.commit()
        async with uow_factory() as uow:
            lines = list(await uow.decision_quality.per_label())
        assert lines == [LabelDecisionCounts("Access", 1, 0, 0, 0), LabelDecisionCounts("Hardware", 4, 3, 2, 1)]

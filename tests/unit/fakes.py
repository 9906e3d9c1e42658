"""In-memory implementations of every port, for unit tests of the use cases.

The repositories keep the same contract as the SQL ones: tests/repository_contract.py runs against both."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import math
import shutil
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from adapters.outbound.persistence.lazy_repository import LazyRepository
from application.ports.admin_user_repository import AdminUserRepository
from application.ports.analysis_queries import AnalysisQueries
from application.ports.analysis_repository import AnalysisRepository
from application.ports.catalogue_stamp import CatalogueStamp
from application.ports.company_repository import CompanyRepository
from application.ports.decision_quality_queries import DecisionQualityQueries
from application.ports.human_label_repository import HumanLabelRepository
from application.ports.labelled_ticket_curation import LabelledTicketCuration
from application.ports.labelled_ticket_queries import LabelledTicketQueries
from application.ports.labelled_ticket_repository import LabelledTicketRepository
from application.ports.login_failure_repository import LoginFailureRepository
from application.ports.mislabel_candidate_repository import MislabelCandidateRepository
from application.ports.model_store import CorruptVersion, ModelStoreUnavailable, StoredFile, StoreUsage, VersionManifest
from application.ports.model_trainer import CalibratedVersion
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.review_queue_queries import ReviewQueueQueries
from application.ports.team_repository import TeamRepository
from application.ports.ticket_group_queries import TicketGroupQueries
from application.ports.ticket_vector_repository import TicketVectorRepository
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.training_state_repository import TrainingStateRepository
from application.ports.work_lease import LEASE_NAME_MAX, WorkLease
from domain.admin_users import AdminUser
from domain.analysis import AnalysisFilter, TicketAnalysis
from domain.companies import Company, Team
from domain.dataset_split import Example
from domain.decision_quality import LabelDecisionCounts
from domain.decision_thresholds import ThresholdTable, ValidationPoint
from domain.decisions import Decision
from domain.errors import Conflict, JobQueueUnavailable
from domain.human_labels import HumanLabel
from domain.labelled_tickets import LabelledTicket, TicketStatus
from domain.login_throttle import RecentFailures
from domain.mislabels import LabelJudgement, MislabelCandidate, Resolution
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction, Vector
from domain.similar_tickets import StoredVector, TicketToEmbed
from domain.team_evidence import TeamEvidence
from domain.training import TrainingState, TriggerDue, TriggerPolicy
from domain.training_runs import RunStatus, TrainingProgress, TrainingRun
from tests.unit.fake_ticket_groups import FakeTicketGroupQueries

_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass
class InMemoryStore:
    """What a database would hold; units of work copy it on entry and write it back on commit."""

    companies: dict[int, Company] = field(default_factory=dict)
    teams: dict[int, Team] = field(default_factory=dict)
    analyses: dict[int, TicketAnalysis] = field(default_factory=dict)
    training_state: TrainingState = field(default_factory=lambda: TrainingState(0, False, None, None, None))
    labelled: dict[int, LabelledTicket] = field(default_factory=dict)
    runs: dict[int, TrainingRun] = field(default_factory=dict)
    versions: dict[int, ModelVersion] = field(default_factory=dict)
    feedback_links: dict[int, int] = field(default_factory=dict)
    admin_users: dict[int, AdminUser] = field(default_factory=dict)
    login_failures: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    human_labels: dict[tuple[int, str], HumanLabel] = field(default_factory=dict)
    mislabel_candidates: dict[int, MislabelCandidate] = field(default_factory=dict)
    ticket_vectors: dict[int, StoredVector] = field(default_factory=dict)
    work_leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    """Each lease held: its holder and expiry."""
    next_id: int = 1
    commits: int = 0
    transactions: int = 0
    """Units of work entered (each one transaction), read-only ones included."""
    catalogue_seen: tuple[str, int] = ("", 0)
    """The catalogue stamp's fake: the companies and teams as last seen, and the version given for them."""
    human_label_reads: int = 0
    """Reads of people's labels (`HumanLabelRepository.get_many` calls), in any transaction."""

    def add_labelled(self, text: str, label: str, created_at: datetime, source: str = "test") -> int:
        """Stores an active labelled ticket as the repository would (the training data's revision moves); its id."""
        ticket_id = self.new_id()
        self.labelled[ticket_id] = LabelledTicket(text, label, source, created_at, id=ticket_id)
        self.advance_label_revision(1)
        return ticket_id

    def advance_label_revision(self, changes: int) -> None:
        state = self.training_state
        self.training_state = replace(state, label_revision=state.label_revision + changes)

    @property
    def ticket_status(self) -> dict[int, tuple[str, str | None, datetime | None]]:
        """Labelled tickets that are not active: their status, who changed it and when."""
        return {
            ticket_id: (ticket.status.value, ticket.status_changed_by, ticket.status_changed_at)
            for ticket_id, ticket in self.labelled.items()
            if ticket.status is not TicketStatus.ACTIVE
        }

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class _Repo:
    """Built on first use by the fake unit of work, over its transaction's working copy."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._data = uow.repository_source().working


class FakeCompanies(_Repo):
    async def get(self, company_id: int) -> Company | None:
        return self._data.companies.get(company_id)

    async def list(self) -> Sequence[Company]:
        return [self._data.companies[key] for key in sorted(self._data.companies)]

    async def add(self, company: Company) -> Company:
        stored = replace(company, id=self._data.new_id())
        self._data.companies[stored.id] = stored
        return stored

    async def update(self, company: Company) -> None:
        self._data.companies[company.id] = company

    async def delete(self, company_id: int) -> None:
        del self._data.companies[company_id]
        for team_id in [t.id for t in self._data.teams.values() if t.company_id == company_id]:
            del self._data.teams[team_id]


class FakeCatalogueStamp(_Repo):
    """Moves whenever the companies or teams this transaction sees differ from the last read, however they were
    changed (tests also write the store directly), which keeps the contract: every write moves it before anyone
    can read it. What was last seen is kept in the shared store, outside any transaction."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow)
        self._shared = uow.store

    async def current(self) -> int:
        seen, version = self._shared.catalogue_seen
        now = repr((sorted(self._data.companies.items()), sorted(self._data.teams.items())))
        if now != seen:
            version += 1
            self._shared.catalogue_seen = (now, version)
        return version


class FakeTeams(_Repo):
    async def get(self, team_id: int) -> Team | None:
        return self._data.teams.get(team_id)

    async def list_for_company(self, company_id: int) -> Sequence[Team]:
        return [t for _, t in sorted(self._data.teams.items()) if t.company_id == company_id]

    async def add(self, team: Team) -> Team:
        stored = replace(team, id=self._data.new_id(), evidence=())
        self._data.teams[stored.id] = stored
        return stored

    async def update(self, team: Team) -> None:
        kept = self._data.teams[team.id].evidence if team.id in self._data.teams else ()
        self._data.teams[team.id] = replace(team, evidence=kept)

    async def add_evidence(self, team_id: int, company_id: int, evidence: TeamEvidence, keep: int) -> None:
        team = self._data.teams[team_id]
        self._data.teams[team_id] = replace(team, evidence=(*team.evidence, evidence)[-max(keep, 1) :])

    async def delete(self, team_id: int) -> None:
        del self._data.teams[team_id]


class FakeAnalyses(_Repo):
    async def add(self, analysis: TicketAnalysis) -> TicketAnalysis:
        stored = replace(analysis, id=self._data.new_id())
        self._data.analyses[stored.id] = stored
        return stored

    async def get(self, analysis_id: int) -> TicketAnalysis | None:
        return self._data.analyses.get(analysis_id)

    async def count(self) -> int:
        return len(self._data.analyses)

    async def link_feedback(self, analysis_id: int, labelled_ticket_id: int) -> None:
        analysis = self._data.analyses.get(analysis_id)
        if analysis is None:
            return
        self._data.feedback_links[analysis_id] = labelled_ticket_id
        self._data.analyses[analysis_id] = replace(
            analysis, decisions=replace(analysis.decisions, review_pending=False)
        )

    async def feedback_ticket_id(self, analysis_id: int) -> int | None:
        return self._data.feedback_links.get(analysis_id)


class FakeAnalysisQueries(_Repo):
    async def count_since(self, moment: datetime) -> int:
        return sum(1 for analysis in self._data.analyses.values() if analysis.created_at >= moment)

    async def list_page(self, criteria: AnalysisFilter, offset: int, limit: int) -> Sequence[TicketAnalysis]:
        newest_first = [self._data.analyses[k] for k in sorted(self._data.analyses, reverse=True)]
        return [analysis for analysis in newest_first if criteria.matches(analysis)][offset : offset + limit]

    async def count_matching(self, criteria: AnalysisFilter) -> int:
        return sum(1 for analysis in self._data.analyses.values() if criteria.matches(analysis))


class FakeLabelledTickets(_Repo):
    async def add_many(self, tickets: Sequence[LabelledTicket]) -> list[LabelledTicket]:
        stored = [replace(ticket, id=self._data.new_id()) for ticket in tickets]
        self._data.labelled.update({ticket.id: ticket for ticket in stored})
        self._data.advance_label_revision(len(stored))
        return stored

    async def get(self, ticket_id: int) -> LabelledTicket | None:
        return self._data.labelled.get(ticket_id)

    async def count(self) -> int:
        return len(self._data.labelled)

    async def newest_id(self) -> int | None:
        return max(self._data.labelled, default=None)

    async def all_for_training(self) -> Sequence[LabelledTicket]:
        tickets = [self._data.labelled[k] for k in sorted(self._data.labelled)]
        return [ticket for ticket in tickets if ticket.status is TicketStatus.ACTIVE]

    async def set_status(self, ticket_id: int, status: TicketStatus, changed_by: str, changed_at: datetime) -> bool:
        ticket = self._data.labelled.get(ticket_id)
        if ticket is None:
            return False
        self._data.labelled[ticket_id] = replace(
            ticket, status=status, status_changed_by=changed_by, status_changed_at=changed_at
        )
        self._data.advance_label_revision(1)
        return True

    async def active_categories(self) -> Sequence[str]:
        return sorted({t.category for t in self._data.labelled.values() if t.status is TicketStatus.ACTIVE})


class FakeHumanLabels(_Repo):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow)
        self._store = uow.store

    async def get_many(self, company_id: int, text_hashes: Collection[str]) -> dict[str, HumanLabel]:
        self._store.human_label_reads += 1
        stored = self._data.human_labels
        return {hashed: stored[company_id, hashed] for hashed in text_hashes if (company_id, hashed) in stored}

    async def put(self, label: HumanLabel) -> None:
        self._data.human_labels[(label.company_id, label.text_hash)] = label


class FakeReviewQueueQueries(_Repo):
    def _pending(self, company_id: int | None, label: str | None) -> list[TicketAnalysis]:
        oldest_first = [self._data.analyses[k] for k in sorted(self._data.analyses)]
        return [
            a
            for a in oldest_first
            if a.decisions.review_pending
            and (company_id is None or a.company_id == company_id)
            and (label is None or (a.category is not None and a.category.label.casefold() == label.casefold()))
        ]

    async def list_page(
        self, company_id: int | None, label: str | None, offset: int, limit: int
    ) -> Sequence[TicketAnalysis]:
        return self._pending(company_id, label)[offset : offset + limit]

    async def count(self, company_id: int | None, label: str | None) -> int:
        return len(self._pending(company_id, label))


class FakeDecisionQualityQueries(_Repo):
    async def per_label(self) -> Sequence[LabelDecisionCounts]:
        counts: dict[str, list[int]] = {}
        for analysis_id, analysis in self._data.analyses.items():
            if analysis.category is None:
                continue
            line = counts.setdefault(analysis.category.label, [0, 0, 0, 0])
            line[0] += 1
            if analysis.decisions.category is not Decision.AUTO:
                continue
            line[1] += 1
            ticket = self._data.labelled.get(self._data.feedback_links.get(analysis_id, -1))
            if ticket is not None:
                line[2] += 1
                line[3] += ticket.category != analysis.category.label
        return [LabelDecisionCounts(label, *counts[label]) for label in sorted(counts)]


class FakeLabelledTicketQueries(_Repo):
    async def list_page(self, offset: int, limit: int) -> Sequence[LabelledTicket]:
        return [self._data.labelled[k] for k in sorted(self._data.labelled, reverse=True)][offset : offset + limit]


class FakeTrainingRuns(_Repo):
    async def add(self, run: TrainingRun) -> TrainingRun:
        stored = replace(run, id=self._data.new_id())
        self._data.runs[stored.id] = stored
        return stored

    async def get(self, run_id: int) -> TrainingRun | None:
        return self._data.runs.get(run_id)

    async def update(self, run: TrainingRun) -> None:
        self._data.runs[run.id] = run

    async def start(self, run_id: int, now: datetime) -> TrainingRun | None:
        run = self._data.runs.get(run_id)
        if run is None or run.status is not RunStatus.QUEUED:
            return None
        started = replace(
            run, status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, progress=TrainingProgress("export", 0.0)
        )
        self._data.runs[run_id] = started
        return started

    async def unfinished(self) -> Sequence[TrainingRun]:
        return [r for _, r in sorted(self._data.runs.items()) if not r.status.finished]

    async def count_by_status(self) -> Mapping[RunStatus, int]:
        return dict(Counter(run.status for run in self._data.runs.values()))

    async def list_recent(self, limit: int) -> Sequence[TrainingRun]:
        return [self._data.runs[k] for k in sorted(self._data.runs, reverse=True)][:limit]

    async def last_succeeded(self) -> TrainingRun | None:
        done = [r for _, r in sorted(self._data.runs.items()) if r.status is RunStatus.SUCCEEDED]
        return done[-1] if done else None


class FakeModelVersions(_Repo):
    async def add(self, version: ModelVersion) -> ModelVersion:
        stored = replace(version, id=self._data.new_id())
        self._data.versions[stored.id] = stored
        return stored

    async def get(self, version_id: int) -> ModelVersion | None:
        return self._data.versions.get(version_id)

    async def list(self) -> Sequence[ModelVersion]:
        return [self._data.versions[k] for k in sorted(self._data.versions, reverse=True)]

    async def active(self) -> ModelVersion | None:
        """As in SQL: the most recently activated ACTIVE version, one never activated last, then the highest id."""
        active = [v for v in self._data.versions.values() if v.status is ModelStatus.ACTIVE]
        return max(active, key=lambda v: (v.activated_at is not None, v.activated_at or _EPOCH, v.id), default=None)

    async def update(self, version: ModelVersion) -> None:
        self._data.versions[version.id] = version


class FakeTrainingState(_Repo):
    async def get(self) -> TrainingState:
        return self._data.training_state

    async def count_analysis(self, count: int = 1) -> TrainingState:
        state = self._data.training_state
        self._data.training_state = replace(state, analyses_since_trigger=state.analyses_since_trigger + count)
        return self._data.training_state

    async def claim(
        self, now: datetime, threshold: int | None, stale_before: datetime, min_new_labels: int = 0
    ) -> bool:
        state = self._data.training_state
        fresh_mark = state.running and (state.running_since is None or state.running_since >= stale_before)
        if fresh_mark:
            return False
        remaining = 0
        if threshold is not None:
            policy = TriggerPolicy(threshold, min_new_labels, timedelta(0))
            if policy.due(state) is not TriggerDue.TRAIN:
                return False
            reached = state.analyses_since_trigger >= threshold
            remaining = state.analyses_since_trigger - threshold if reached else state.analyses_since_trigger
        self._data.training_state = replace(
            state,
            analyses_since_trigger=remaining,
            running=True,
            running_since=now,
            last_triggered_at=now,
            claimed_label_revision=state.label_revision,
        )
        return True

    async def skip_trigger(self, threshold: int) -> bool:
        state = self._data.training_state
        if state.analyses_since_trigger < threshold or state.new_labels:
            return False
        self._data.training_state = replace(
            state,
            analyses_since_trigger=state.analyses_since_trigger % threshold,
            skipped_triggers=state.skipped_triggers + state.analyses_since_trigger // threshold,
        )
        return True

    async def mark_trained(self, full_at: datetime | None = None, full_tickets: int = 0) -> None:
        state = replace(
            self._data.training_state, trained_label_revision=self._data.training_state.claimed_label_revision
        )
        if full_at is not None:
            state = replace(state, last_full_at=full_at, last_full_tickets=full_tickets)
        self._data.training_state = state

    async def release(self, error: str | None) -> None:
        state = self._data.training_state
        self._data.training_state = replace(
            state, running=False, running_since=None, last_error=error if error is not None else state.last_error
        )

    async def record_error(self, error: str) -> None:
        self._data.training_state = replace(self._data.training_state, last_error=error)

    async def clear_error(self) -> None:
        self._data.training_state = replace(self._data.training_state, last_error=None)


class FakeAdminUsers(_Repo):
    async def get(self, user_id: int) -> AdminUser | None:
        return self._data.admin_users.get(user_id)

    async def get_by_username(self, username: str) -> AdminUser | None:
        return next((u for u in self._data.admin_users.values() if u.username == username), None)

    async def add(self, user: AdminUser) -> AdminUser:
        if await self.get_by_username(user.username) is not None:
            raise Conflict(f"an admin user named {user.username!r} already exists")
        stored = replace(user, id=self._data.new_id())
        self._data.admin_users[stored.id] = stored
        return stored

    async def update(self, user: AdminUser) -> None:
        stored = self._data.admin_users.get(user.id)
        generation = stored.session_generation if stored is not None else user.session_generation
        self._data.admin_users[user.id] = replace(user, session_generation=generation)

    async def revoke_sessions(self, user_id: int) -> None:
        stored = self._data.admin_users.get(user_id)
        if stored is not None:
            self._data.admin_users[user_id] = replace(stored, session_generation=stored.session_generation + 1)

    async def count(self) -> int:
        return len(self._data.admin_users)


class FakeLoginFailures(_Repo):
    async def record(self, key: str, at: datetime) -> int:
        attempt_id = self._data.new_id()
        self._data.login_failures[attempt_id] = (key, at)
        return attempt_id

    async def recent(self, key: str, since: datetime, excluding: int | None = None) -> RecentFailures:
        failures = self._data.login_failures.items()
        times = [at for attempt_id, (k, at) in failures if k == key and at >= since and attempt_id != excluding]
        return RecentFailures(len(times), max(times, default=None))

    async def forget(self, attempt_id: int) -> None:
        self._data.login_failures.pop(attempt_id, None)

    async def clear(self, key: str) -> None:
        self._data.login_failures = {i: (k, at) for i, (k, at) in self._data.login_failures.items() if k != key}

    async def prune(self, before: datetime) -> None:
        self._data.login_failures = {i: (k, at) for i, (k, at) in self._data.login_failures.items() if at >= before}


class FakeMislabelCandidates(_Repo):
    async def add_many(self, candidates: Sequence[MislabelCandidate]) -> list[MislabelCandidate]:
        stored = [replace(candidate, id=self._data.new_id()) for candidate in candidates]
        self._data.mislabel_candidates.update({c.id: c for c in stored})
        return stored

    async def get(self, candidate_id: int) -> MislabelCandidate | None:
        return self._data.mislabel_candidates.get(candidate_id)

    async def record_resolution(self, candidate: MislabelCandidate) -> None:
        stored = self._data.mislabel_candidates.get(candidate.id or 0)
        if stored is not None:
            self._data.mislabel_candidates[stored.id or 0] = replace(
                stored,
                resolution=candidate.resolution,
                resolved_by=candidate.resolved_by,
                resolved_at=candidate.resolved_at,
            )

    async def latest_run_id(self) -> int | None:
        return max((c.training_run_id for c in self._data.mislabel_candidates.values()), default=None)

    def _matching(self, training_run_id: int, label: str | None) -> list[MislabelCandidate]:
        return [
            c
            for c in self._data.mislabel_candidates.values()
            if c.training_run_id == training_run_id and (label is None or c.given_label == label)
        ]

    async def list_page(
        self, training_run_id: int, label: str | None, offset: int, limit: int
    ) -> Sequence[MislabelCandidate]:
        ordered = sorted(
            self._matching(training_run_id, label), key=lambda c: (c.resolution is not None, c.given_probability, c.id)
        )
        return ordered[offset : offset + limit]

    async def count(self, training_run_id: int, label: str | None) -> int:
        return len(self._matching(training_run_id, label))

    async def unresolved_per_label(self, training_run_id: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for candidate in self._matching(training_run_id, None):
            if candidate.resolution is None:
                counts[candidate.given_label] = counts.get(candidate.given_label, 0) + 1
        return {label: counts[label] for label in sorted(counts)}

    async def confirmed_ticket_ids(self) -> set[int]:
        return {
            c.labelled_ticket_id
            for c in self._data.mislabel_candidates.values()
            if c.resolution is Resolution.CONFIRMED
        }


class FakeLabelledTicketCuration(_Repo):
    async def change_category(self, ticket_id: int, category: str) -> bool:
        ticket = self._data.labelled.get(ticket_id)
        if ticket is None:
            return False
        self._data.labelled[ticket_id] = replace(ticket, category=category)
        self._data.advance_label_revision(1)
        return True

    async def status(self, ticket_id: int) -> str | None:
        ticket = self._data.labelled.get(ticket_id)
        return None if ticket is None else ticket.status.value


class FakeTicketVectors(_Repo):
    def _scoped(self, company_id: int, model_version: str) -> list[StoredVector]:
        return [
            vector
            for _, vector in sorted(self._data.ticket_vectors.items())
            if vector.company_id == company_id and vector.model_version == model_version
        ]

    @staticmethod
    def _ticket(vector: StoredVector | TicketToEmbed) -> tuple[str, int | None]:
        return (
            ("analysis", vector.analysis_id)
            if vector.analysis_id is not None
            else ("labelled", vector.labelled_ticket_id)
        )

    async def add_many(self, vectors: Sequence[StoredVector]) -> None:
        held = {(v.model_version, self._ticket(v)) for v in self._data.ticket_vectors.values()}
        for vector in vectors:
            key = (vector.model_version, self._ticket(vector))
            if key not in held:
                held.add(key)
                vector_id = self._data.new_id()
                self._data.ticket_vectors[vector_id] = replace(vector, id=vector_id)

    async def load(
        self, company_id: int, model_version: str, after_id: int = 0, limit: int | None = None
    ) -> Sequence[StoredVector]:
        found = [v for v in self._scoped(company_id, model_version) if v.id is not None and v.id > after_id]
        return found[:limit] if limit is not None else found

    async def for_analysis(self, company_id: int, model_version: str, analysis_id: int) -> StoredVector | None:
        return next((v for v in self._scoped(company_id, model_version) if v.analysis_id == analysis_id), None)

    async def count(self, company_id: int, model_version: str) -> int:
        return len(self._scoped(company_id, model_version))

    async def label_analysis(self, company_id: int, analysis_id: int, category: str) -> None:
        for vector_id, vector in self._data.ticket_vectors.items():
            if vector.company_id == company_id and vector.analysis_id == analysis_id:
                self._data.ticket_vectors[vector_id] = replace(vector, category=category, label_is_human=True)

    async def to_embed(self, company_id: int, model_version: str, limit: int) -> Sequence[TicketToEmbed]:
        done = {self._ticket(v) for v in self._scoped(company_id, model_version)}
        found: dict[tuple[str, int | None], TicketToEmbed] = {}
        for _, vector in sorted(self._data.ticket_vectors.items()):
            ticket = self._ticket(vector)
            if vector.company_id != company_id or vector.model_version == model_version or ticket in done:
                continue
            if vector.analysis_id is not None:
                analysis = self._data.analyses.get(vector.analysis_id)
                text = analysis.description if analysis is not None else None
            else:
                labelled = self._data.labelled.get(vector.labelled_ticket_id or 0)
                text = labelled.text if labelled is not None else None
            if text is not None and ticket not in found:
                found[ticket] = TicketToEmbed(
                    vector.company_id,
                    text,
                    vector.created_at,
                    vector.analysis_id,
                    vector.labelled_ticket_id,
                    vector.category,
                    vector.label_is_human,
                    vector.team_id,
                )
        return sorted(found.values(), key=lambda t: t.created_at)[:limit]

    async def delete_other_versions(self, company_id: int, model_version: str) -> int:
        doomed = [
            vector_id
            for vector_id, vector in self._data.ticket_vectors.items()
            if vector.company_id == company_id and vector.model_version != model_version
        ]
        for vector_id in doomed:
            del self._data.ticket_vectors[vector_id]
        return len(doomed)


class FakeWorkLeases(_Repo):
    async def try_acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        _check_lease_name(name)
        held = self._data.work_leases.get(name)
        if held is not None and held[0] != holder and held[1] > now:
            return False
        self._data.work_leases[name] = (holder, now + ttl)
        return True

    async def release(self, name: str, holder: str) -> None:
        _check_lease_name(name)
        held = self._data.work_leases.get(name)
        if held is not None and held[0] == holder:
            del self._data.work_leases[name]


def _check_lease_name(name: str) -> None:
    if len(name) > LEASE_NAME_MAX:
        raise ValueError(f"a lease name has at most {LEASE_NAME_MAX} characters, got {len(name)}")


class FakeMislabelDetector:
    """Reads the true label from test texts "<label> ticket <n>": a ticket labelled otherwise is judged
    unlikely (given probability 0.1), others likely (0.9). `fail_with` makes `find` raise."""

    def __init__(self) -> None:
        self.fail_with: Exception | None = None
        self.calls: list[int] = []

    async def find(self, tickets: Sequence[LabelledTicket]) -> list[LabelJudgement]:
        if self.fail_with is not None:
            raise self.fail_with
        self.calls.append(len(tickets))
        judgements = []
        for ticket in tickets:
            if ticket.id is None:
                continue
            truth = ticket.text.split(" ticket ")[0]
            likely = 0.9 if truth == ticket.category else 0.1
            judgements.append(LabelJudgement(ticket.id, ticket.category, truth, likely))
        return judgements


class FakeUnitOfWork:
    """Works on a private copy and publishes it only on commit, like a real transaction.

    Its repositories, like the SQL unit of work's, are built on first use from this registry (one line each, typed
    as the ports, so the fake satisfies every use case's narrow unit of work).
    """

    companies = LazyRepository[CompanyRepository](FakeCompanies)
    teams = LazyRepository[TeamRepository](FakeTeams)
    analyses = LazyRepository[AnalysisRepository](FakeAnalyses)
    analysis_queries = LazyRepository[AnalysisQueries](FakeAnalysisQueries)
    training_state = LazyRepository[TrainingStateRepository](FakeTrainingState)
    labelled_tickets = LazyRepository[LabelledTicketRepository](FakeLabelledTickets)
    labelled_ticket_queries = LazyRepository[LabelledTicketQueries](FakeLabelledTicketQueries)
    training_runs = LazyRepository[TrainingRunRepository](FakeTrainingRuns)
    model_versions = LazyRepository[ModelVersionRepository](FakeModelVersions)
    admin_users = LazyRepository[AdminUserRepository](FakeAdminUsers)
    login_failures = LazyRepository[LoginFailureRepository](FakeLoginFailures)
    human_labels = LazyRepository[HumanLabelRepository](FakeHumanLabels)
    catalogue_stamp = LazyRepository[CatalogueStamp](FakeCatalogueStamp)
    review_queue = LazyRepository[ReviewQueueQueries](FakeReviewQueueQueries)
    decision_quality = LazyRepository[DecisionQualityQueries](FakeDecisionQualityQueries)
    mislabel_candidates = LazyRepository[MislabelCandidateRepository](FakeMislabelCandidates)
    labelled_ticket_curation = LazyRepository[LabelledTicketCuration](FakeLabelledTicketCuration)
    ticket_vectors = LazyRepository[TicketVectorRepository](FakeTicketVectors)
    ticket_groups = LazyRepository[TicketGroupQueries](FakeTicketGroupQueries)
    work_leases = LazyRepository[WorkLease](FakeWorkLeases)

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.working: InMemoryStore | None = None

    async def __aenter__(self) -> FakeUnitOfWork:
        self.store.transactions += 1
        self.working = copy.deepcopy(self.store)
        return self

    def repository_source(self) -> FakeUnitOfWork:
        if self.working is None:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        commits = self.store.commits + 1
        outside = self.store.transactions, self.store.catalogue_seen, self.store.human_label_reads
        self.store.__dict__.update(copy.deepcopy(self.repository_source().working).__dict__)
        self.store.commits = commits
        self.store.transactions, self.store.catalogue_seen, self.store.human_label_reads = outside

    async def rollback(self) -> None:
        # In place, so the repositories already built see the rollback too.
        self.repository_source().working.__dict__.update(copy.deepcopy(self.store).__dict__)


class FakeUnitOfWorkFactory:
    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)


class FakeEmbedder:
    """Bag-of-words hashing: texts sharing words are similar, which is all routing needs."""

    dimensions = 64

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        self.calls.append(list(texts))
        return [self._vector(text) for text in texts]

    def _vector(self, text: str) -> Vector:
        values = [0.0] * self.dimensions
        for word in text.lower().replace(".", " ").split():
            values[int(hashlib.sha1(word.encode()).hexdigest(), 16) % self.dimensions] += 1.0
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        return tuple(v / norm for v in values)

    def is_ready(self) -> bool:
        return True


class FakeClassifier:
    """Predicts from keywords, with a configurable confidence."""

    def __init__(
        self,
        keywords: dict[str, str] | None = None,
        confidence: float = 0.9,
        fallback: str = "Miscellaneous",
        thresholds: ThresholdTable | None | str = "calibrated",
        reasons: tuple[str, ...] = ("fake", "reason"),
        vectors: Callable[[str], Vector] | None = None,
    ) -> None:
        """`thresholds` "calibrated" (the default): a table whose every label has the threshold 0.9 at any
        target, so the default confidence is decided `auto`; None: an uncalibrated model. `vectors`: the text
        vector each prediction carries, as a trained version's encoder gives it (None: no vector, as the
        zero-shot classifier). Setting `scores` (label -> probability) answers every text with those instead."""
        self.keywords = keywords or {"laptop": "Hardware", "password": "Access", "salary": "HR Support"}
        self.confidence = confidence
        self.fallback = fallback
        labels = (*self.keywords.values(), fallback)
        self.thresholds = confident_table(labels, 0.9) if thresholds == "calibrated" else thresholds
        self.reasons = reasons
        self.vectors = vectors
        self.scores: dict[str, float] | None = None
        self.version = "fake-v1"
        self.warmed_up = False
        self.calls = 0
        self.texts: list[str] = []

    async def classify(self, text: str) -> CategoryPrediction:
        self.calls += 1
        self.texts.append(text)
        label = next((lbl for word, lbl in self.keywords.items() if word in text.lower()), self.fallback)
        rest = (1.0 - self.confidence) / 2
        scores = self.scores or {label: self.confidence, "Other A": rest, "Other B": rest}
        table = self.thresholds if isinstance(self.thresholds, ThresholdTable) else None
        embedding = self.vectors(text) if self.vectors is not None else None
        return CategoryPrediction.from_scores(
            scores, self.version, thresholds=table, reasons=self.reasons, embedding=embedding
        )

    def is_ready(self) -> bool:
        return True

    async def warm_up(self) -> None:
        self.warmed_up = True


def confident_table(labels: Sequence[str], threshold: float, support: int = 20) -> ThresholdTable:
    """A threshold table where each label's threshold is `threshold` at every target precision (below it, the
    validation predictions were all wrong)."""
    points = [ValidationPoint(label, threshold, True) for label in labels for _ in range(support)]
    points += [ValidationPoint(label, threshold / 2, False) for label in labels for _ in range(support)]
    return ThresholdTable.from_points(points, min_support=support)


class FakeSentiment:
    def __init__(self, polarity: float = 0.0) -> None:
        self.value = polarity
        self.calls = 0

    async def polarity(self, text: str) -> float:
        self.calls += 1
        return self.value

    def is_ready(self) -> bool:
        return True


class FakeJobQueue:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.enqueued: list[int] = []

    async def enqueue_retraining(self, run_id: int) -> None:
        if self.fail:
            raise JobQueueUnavailable("broker down")
        self.enqueued.append(run_id)

    async def is_reachable(self) -> bool:
        return not self.fail

    async def drain(self) -> None:
        """Nothing runs here: queued jobs are only recorded."""


class FixedClock:
    def __init__(self, moment: datetime | None = None) -> None:
        self.moment = moment or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += timedelta(**kwargs)


class FakeExporter:
    def __init__(self) -> None:
        self.exported: list[int] = []

    async def export(self, tickets: Sequence[LabelledTicket]) -> list[str]:
        self.exported.append(len(tickets))
        return ["exports/tickets_training.xlsx"]


class FakeTrainer:
    """'Trains' a model that answers from a fixed rule; `next_rule` picks how good each new model is.

    Like the real trainer it writes each version as a folder in the store's staging area (its rule in rule.txt,
    and a bert/ folder unless it is linear-only) and reads the versions it continues from through the store.
    """

    def __init__(self, store: FakeModelStore) -> None:
        self.store = store
        self.next_rule = "perfect"
        self.fail_with: Exception | None = None
        self.trained_from: list[str | None] = []
        """The location of each training's warm start (None: the base model)."""
        self.examples: list[tuple[list[Example], list[Example] | None]] = []
        """Each `train` call's training examples and an update's transformer examples (None for a full training)."""
        self.count = 0
        self.calibration_helps = True
        """False: the test split's tickets are all right, so softening the (over-confident) validation fit hurts."""
        self.calibrated: list[str] = []
        """The name of each version calibrated."""
        self.linear_stage = False
        """True: a hybrid recipe, whose `train_linear` writes a linear-only version first (ruled by `linear_rule`)."""
        self.linear_rule = "perfect"
        self.fail_hybrid_with: Exception | None = None
        self.reused: list[str | None] = []
        self.started = asyncio.Event()
        """Set when `train` begins."""
        self.hold: asyncio.Event | None = None
        """When set to an event, `train` waits for it before it 'trains' (a training that takes its time)."""

    async def train_linear(self, train, validation, labels, on_progress):
        from application.ports.model_trainer import TrainedModel
        from domain.training_runs import TrainingProgress

        if not self.linear_stage:
            return None
        if self.fail_with is not None:
            raise self.fail_with
        on_progress(TrainingProgress("linear", 50.0))
        folder = self._write(self.linear_rule, transformer=False)
        return TrainedModel(folder.name, str(folder), tuple(labels), {"seconds": 1.0}, "linear")

    async def train(
        self, train, validation, labels, warm_starts, on_progress, reuse_linear=None, epochs=None, encoder_examples=None
    ):
        from application.ports.model_trainer import TrainedModel
        from domain.training_runs import TrainingProgress

        if self.fail_with is not None:
            raise self.fail_with
        if self.fail_hybrid_with is not None:
            raise self.fail_hybrid_with
        self.started.set()
        if self.hold is not None:
            await self.hold.wait()
        on_progress(TrainingProgress("train", 50.0, 0.7))
        # Like the real trainer: only a version with a transformer (not a linear-only one) is a warm start.
        base = None
        for version in warm_starts:
            if (await self.store.manifest(version.location)).has_folder("bert"):
                base = version.location
                break
        self.trained_from.append(base)
        self.examples.append((list(train), None if encoder_examples is None else list(encoder_examples)))
        if reuse_linear is not None:
            async with self.store.open(reuse_linear.location):
                pass
        self.reused.append(reuse_linear.location if reuse_linear else None)
        folder = self._write(self.next_rule, transformer=True)
        recipe = "hybrid" if self.linear_stage else "bert"
        return TrainedModel(folder.name, str(folder), tuple(labels), {"seconds": 1.0}, recipe)

    def _write(self, rule: str, transformer: bool) -> Path:
        self.count += 1
        folder = Path(self.store.staging_area()) / f"v{self.count}"
        folder.mkdir(parents=True)
        (folder / "rule.txt").write_text(rule)
        if transformer:
            (folder / "bert").mkdir()
            (folder / "bert" / "weights").write_text(folder.name)
        return folder

    async def predict(self, path: str, texts: Sequence[str]) -> list[str]:
        rule = (Path(path) / "rule.txt").read_text()
        # Test texts are "<label> ticket <n>": a perfect model reads the label back, a poor one says "Access".
        return [text.split(" ticket ")[0] if rule == "perfect" else "Access" for text in texts]

    async def calibrate(self, path, validation, test):
        """Measures made-up probabilities with the real rules: every prediction 0.99 sure, every third
        validation ticket wrong (so the fitted temperature softens), and test tickets wrong like validation
        when `calibration_helps`, else all right."""
        from adapters.outbound.ml.training.calibration_fit import measure_calibration

        self.calibrated.append(Path(path).name)
        labels = sorted({e.label for e in [*validation, *test]})

        def rows(examples, wrong_every):
            result = []
            for n, example in enumerate(examples):
                predicted = labels.index(example.label)
                if wrong_every and n % wrong_every == 0:
                    predicted = (predicted + 1) % len(labels)
                rest = 0.01 / (len(labels) - 1)
                result.append([0.99 if i == predicted else rest for i in range(len(labels))])
            return result

        report, _ = measure_calibration(
            labels,
            rows(validation, 3),
            [e.label for e in validation],
            rows(test, 3 if self.calibration_helps else 0),
            [e.label for e in test],
        )
        return CalibratedVersion(report, tuple(await self.predict(path, [e.text for e in test])))


class FakeModelStore:
    """An in-memory ModelStore: a version is its files' bytes and the manifest taken when it was published.

    `open` writes the files into a fresh temporary folder for the context's lifetime; `tamper` changes them behind
    the store's back, as a damaged disk or bucket would; `unavailable` makes every call fail as an outage does.
    tests/model_store_contract.py runs over it.
    """

    def __init__(self) -> None:
        self._area = tempfile.TemporaryDirectory(prefix="fake-model-store-")
        self.files: dict[str, dict[str, bytes]] = {}
        self.manifests: dict[str, VersionManifest] = {}
        self.opened: list[str] = []
        self.deleted: list[str] = []
        self.unavailable = False

    def staging_area(self) -> str:
        return str(Path(self._area.name) / "staging")

    async def publish(self, staging: str, name: str) -> str:
        from adapters.outbound.model_store.manifests import check_version_name

        self._reachable()
        if check_version_name(name) in self.files:
            raise FileExistsError(name)
        folder = Path(staging)
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
        shutil.rmtree(folder)
        self.files[name] = files
        stored = (StoredFile(path, len(data), hashlib.sha256(data).hexdigest()) for path, data in files.items())
        self.manifests[name] = VersionManifest(name, tuple(stored))
        return name

    @asynccontextmanager
    async def open(self, location: str) -> AsyncIterator[str]:
        manifest = await self.manifest(location)
        files = self.files[location]
        for expected in manifest.files:
            data = files.get(expected.path)
            if data is None or len(data) != expected.size:
                raise CorruptVersion(f"version {location}: {expected.path} is missing or cut short")
            if hashlib.sha256(data).hexdigest() != expected.sha256:
                raise CorruptVersion(f"version {location}: the sha256 of {expected.path} differs from its manifest")
        self.opened.append(location)
        with tempfile.TemporaryDirectory(dir=self._area.name) as folder:
            for path, data in files.items():
                (Path(folder) / path).parent.mkdir(parents=True, exist_ok=True)
                (Path(folder) / path).write_bytes(data)
            yield folder

    async def manifest(self, location: str) -> VersionManifest:
        self._reachable()
        if location not in self.manifests:
            raise CorruptVersion(f"no model version {location}")
        return self.manifests[location]

    async def versions(self) -> list[str]:
        self._reachable()
        return sorted(self.manifests)

    async def delete(self, location: str) -> None:
        self._reachable()
        self.deleted.append(location)
        self.manifests.pop(location, None)
        self.files.pop(location, None)

    async def usage(self) -> StoreUsage:
        self._reachable()
        return StoreUsage(len(self.manifests), sum(manifest.size for manifest in self.manifests.values()))

    def tamper(self, location: str, path: str, data: bytes | None) -> None:
        if data is None:
            del self.files[location][path]
        else:
            self.files[location][path] = data

    def _reachable(self) -> None:
        if self.unavailable:
            raise ModelStoreUnavailable("the fake model store is down")


class FakeRegistryChanges:
    """Counts the announcements."""

    def __init__(self) -> None:
        self.announced = 0

    async def announce(self) -> None:
        self.announced += 1


class FakeServedModel:
    def __init__(self) -> None:
        self.version_id: int | None = None
        self.broken_paths: set[str] = set()
        self.store_down = False
        self.in_step = False

    def serving_version_id(self) -> int | None:
        return self.version_id

    def serving_version_name(self) -> str | None:
        return None if self.version_id is None else f"fake-{self.version_id}"

    def mark_in_step(self) -> None:
        self.in_step = True

    async def serve(self, version: ModelVersion | None) -> None:
        if version is not None and self.store_down:
            raise ModelStoreUnavailable("the model store is down")
        if version is not None and version.location in self.broken_paths:
            raise OSError(f"cannot read {version.location}")
        self.version_id = version.id if version else None


class FakePasswordHasher:
    """Reversible on purpose ("hashed:" + password) so tests can read it; `hashed` counts the work done."""

    def __init__(self, scheme: str = "hashed") -> None:
        self.scheme = scheme
        self.hashed = 0
        self.verified: list[str | None] = []

    async def hash(self, password: str) -> str:
        self.hashed += 1
        return f"{self.scheme}:{password}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.verified.append(password_hash)
        return password_hash is not None and password_hash.split(":", 1)[1:] == [password]

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"{self.scheme}:")


class FakeMetrics:
    """Keeps what the use cases report, as `application.ports.metrics.Metrics` asks."""

    def __init__(self) -> None:
        self.answered: list[tuple[int, bool]] = []
        """(tickets, from the batch endpoint) per call."""
        self.counted = 0
        self.burst_counts: dict[int, int] = {}

    def analyses_answered(self, count: int, seconds: float, batch: bool) -> None:
        assert seconds >= 0
        self.answered.append((count, batch))

    def analyses_counted(self, count: int) -> None:
        self.counted += count

    def bursts(self, per_company: Mapping[int, int]) -> None:
        self.burst_counts = dict(per_company)


class FakeTopicClusterer:
    """`TopicClusterer` by a rule a test can follow: in order, each vector joins the first earlier cluster whose
    first vector is at least `similarity` cosine-close to it, else starts one; clusters smaller than
    `min_cluster_size` are noise (-1), the others are numbered in the order they started. Counts its calls."""

    def __init__(self, similarity: float = 0.9) -> None:
        self.similarity = similarity
        self.calls = 0

    def cluster(self, vectors: Sequence[Sequence[float]], min_cluster_size: int) -> list[int]:
        self.calls += 1
        seeds: list[Sequence[float]] = []
        members: list[int] = []
        for raw in vectors:
            norm = math.sqrt(sum(value * value for value in raw)) or 1.0
            vector = [value / norm for value in raw]
            near = (
                i
                for i, seed in enumerate(seeds)
                if sum(a * b for a, b in zip(vector, seed, strict=True)) >= self.similarity
            )
            index = next(near, None)
            if index is None:
                index = len(seeds)
                seeds.append(vector)
            members.append(index)
        sizes = Counter(members)
        kept = {
            seed: number for number, seed in enumerate(s for s in range(len(seeds)) if sizes[s] >= min_cluster_size)
        }
        return [kept.get(seed, -1) for seed in members]

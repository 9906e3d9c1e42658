"""Repository ports. Repositories read and stage writes; they never commit (the unit of work does)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.admin_users import AdminUser
from domain.analysis import AnalysisFilter, TicketAnalysis
from domain.companies import Company, Team
from domain.labelled_tickets import LabelledTicket
from domain.login_throttle import RecentFailures
from domain.model_versions import ModelVersion
from domain.training import TrainingState
from domain.training_runs import TrainingRun


class CompanyRepository(Protocol):
    """Companies by id. `add` assigns the id; `get` returns None when absent."""

    async def get(self, company_id: int) -> Company | None: ...

    async def list(self) -> Sequence[Company]: ...

    async def add(self, company: Company) -> Company: ...

    async def update(self, company: Company) -> None: ...

    async def delete(self, company_id: int) -> None:
        """Deletes the company and its teams; analyses keep their company id for history."""
        ...


class TeamRepository(Protocol):
    """Teams of companies, with their stored embeddings."""

    async def get(self, team_id: int) -> Team | None: ...

    async def list_for_company(self, company_id: int) -> Sequence[Team]: ...

    async def add(self, team: Team) -> Team: ...

    async def update(self, team: Team) -> None: ...

    async def delete(self, team_id: int) -> None: ...


class AnalysisRepository(Protocol):
    """The record of every analysis answered."""

    async def add(self, analysis: TicketAnalysis) -> TicketAnalysis:
        """Stages the analysis and returns it with its id assigned."""
        ...

    async def get(self, analysis_id: int) -> TicketAnalysis | None: ...

    async def count(self) -> int: ...

    async def link_feedback(self, analysis_id: int, labelled_ticket_id: int) -> None:
        """Records that the analysis was confirmed or corrected by that labelled ticket."""
        ...

    async def feedback_ticket_id(self, analysis_id: int) -> int | None:
        """The labelled ticket last linked by `link_feedback`, or None."""
        ...

    async def count_since(self, moment: datetime) -> int:
        """Analyses created at or after `moment`."""
        ...

    async def list_page(self, criteria: AnalysisFilter, offset: int, limit: int) -> Sequence[TicketAnalysis]:
        """Those matching `criteria` (as `AnalysisFilter.matches` defines it), newest first."""
        ...

    async def count_matching(self, criteria: AnalysisFilter) -> int: ...


class TrainingStateRepository(Protocol):
    """The single retraining-trigger record. Every method is atomic under concurrent callers."""

    async def get(self) -> TrainingState: ...

    async def count_analysis(self) -> int:
        """Adds one to the analysis counter and returns the new count; no increment is ever lost."""
        ...

    async def claim(self, now: datetime, threshold: int | None, stale_before: datetime) -> bool:
        """Marks training running, if and only if no fresh running mark exists and (when `threshold` is given) the
        counter has reached it. At most one concurrent caller gets True. A threshold claim subtracts the threshold
        from the counter, so analyses counted concurrently are never lost; a manual claim resets it to 0."""
        ...

    async def release(self, error: str | None) -> None:
        """Clears the running mark; a non-None `error` becomes the last error, None keeps the previous one."""
        ...

    async def record_error(self, error: str) -> None: ...


class LabelledTicketRepository(Protocol):
    """Tickets with their final labels."""

    async def add_many(self, tickets: Sequence[LabelledTicket]) -> list[LabelledTicket]:
        """Stages all tickets and returns them with ids, in order."""
        ...

    async def get(self, ticket_id: int) -> LabelledTicket | None: ...

    async def count(self) -> int: ...

    async def newest_id(self) -> int | None: ...

    async def list_page(self, offset: int, limit: int) -> Sequence[LabelledTicket]:
        """Newest first."""
        ...

    async def all_for_training(self) -> Sequence[LabelledTicket]:
        """Every ticket, oldest first."""
        ...


class TrainingRunRepository(Protocol):
    async def add(self, run: TrainingRun) -> TrainingRun: ...

    async def get(self, run_id: int) -> TrainingRun | None: ...

    async def update(self, run: TrainingRun) -> None: ...

    async def list_recent(self, limit: int) -> Sequence[TrainingRun]:
        """Newest first."""
        ...

    async def last_succeeded(self) -> TrainingRun | None: ...


class ModelVersionRepository(Protocol):
    async def add(self, version: ModelVersion) -> ModelVersion: ...

    async def get(self, version_id: int) -> ModelVersion | None: ...

    async def list(self) -> Sequence[ModelVersion]:
        """Newest first."""
        ...

    async def active(self) -> ModelVersion | None: ...

    async def update(self, version: ModelVersion) -> None: ...


class AdminUserRepository(Protocol):
    """Admin-site accounts. Usernames are unique (already normalised by the domain); `add` assigns the id."""

    async def get(self, user_id: int) -> AdminUser | None: ...

    async def get_by_username(self, username: str) -> AdminUser | None: ...

    async def add(self, user: AdminUser) -> AdminUser:
        """Raises `domain.errors.Conflict` when the username is taken (checked again by a unique index)."""
        ...

    async def update(self, user: AdminUser) -> None: ...

    async def count(self) -> int: ...


class LoginFailureRepository(Protocol):
    """Failed logins per throttle key (a username or a client address), shared by every process."""

    async def record(self, key: str, at: datetime) -> None: ...

    async def recent(self, key: str, since: datetime) -> RecentFailures:
        """How many failures `key` has at or after `since`, and when the last one was."""
        ...

    async def clear(self, key: str) -> None: ...

    async def prune(self, before: datetime) -> None:
        """Forgets failures older than `before`, of every key: the table does not grow without bound."""
        ...

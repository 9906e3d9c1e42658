from __future__ import annotations

from types import TracebackType
from typing import Protocol

from application.ports.repositories import (
    AdminUserRepository,
    AnalysisRepository,
    CompanyRepository,
    LabelledTicketRepository,
    LoginFailureRepository,
    ModelVersionRepository,
    TeamRepository,
    TrainingRunRepository,
    TrainingStateRepository,
)


class UnitOfWork(Protocol):
    """One atomic transaction over the repositories.

    Contract: entering opens the transaction; `commit` makes every staged write durable at once; leaving
    without `commit` (or on an exception) rolls everything back, so no half-written data is ever kept.
    Raises `domain.errors.StorageUnavailable` when the database cannot be reached.
    """

    companies: CompanyRepository
    teams: TeamRepository
    analyses: AnalysisRepository
    training_state: TrainingStateRepository
    labelled_tickets: LabelledTicketRepository
    training_runs: TrainingRunRepository
    model_versions: ModelVersionRepository
    admin_users: AdminUserRepository
    login_failures: LoginFailureRepository

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work for each use-case execution."""

    def __call__(self) -> UnitOfWork: ...


class StorageHealth(Protocol):
    """Tells whether the database answers; contract: never raises."""

    async def is_reachable(self) -> bool: ...

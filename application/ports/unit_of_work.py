"""Port: transactions. `Transaction` is the contract every unit of work keeps; use cases declare a narrower unit
of work (a `Transaction` with only the repositories they use) and accept a `Callable[[], ThatUnitOfWork]`."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

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
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.review_queue_queries import ReviewQueueQueries
from application.ports.team_repository import TeamRepository
from application.ports.ticket_group_queries import TicketGroupQueries
from application.ports.ticket_vector_repository import TicketVectorRepository
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.training_state_repository import TrainingStateRepository
from application.ports.work_lease import WorkLease


class Transaction(Protocol):
    """One atomic transaction; its repositories (declared by the protocols that extend this one) stage writes in it.

    Contract: entering opens the transaction; `commit` makes every staged write durable at once; leaving
    without `commit` (or on an exception) rolls everything back, so no half-written data is ever kept.
    Repositories never commit: only this does. Raises `domain.errors.StorageUnavailable` when the database
    cannot be reached. A unit of work is entered once; ask the factory for a fresh one per transaction.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWork(Transaction, Protocol):
    """Every repository and query at once: what a persistence adapter provides. Use cases and services ask for a
    narrower unit of work naming only what they use.

    A repository added here is added to each adapter's registry too, one line each
    (`adapters.outbound.persistence.sqlalchemy.repository_registry`, the fake in tests/unit/fakes.py), which builds
    it on its first use in a transaction.
    """

    companies: CompanyRepository
    teams: TeamRepository
    analyses: AnalysisRepository
    analysis_queries: AnalysisQueries
    training_state: TrainingStateRepository
    labelled_tickets: LabelledTicketRepository
    labelled_ticket_queries: LabelledTicketQueries
    training_runs: TrainingRunRepository
    model_versions: ModelVersionRepository
    admin_users: AdminUserRepository
    login_failures: LoginFailureRepository
    human_labels: HumanLabelRepository
    catalogue_stamp: CatalogueStamp
    review_queue: ReviewQueueQueries
    decision_quality: DecisionQualityQueries
    mislabel_candidates: MislabelCandidateRepository
    labelled_ticket_curation: LabelledTicketCuration
    ticket_vectors: TicketVectorRepository
    ticket_groups: TicketGroupQueries
    work_leases: WorkLease


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work for each use-case execution."""

    def __call__(self) -> UnitOfWork: ...


class StorageHealth(Protocol):
    """Tells whether the database answers; contract: never raises."""

    async def is_reachable(self) -> bool: ...

"""The unit of work: one AsyncSession, one transaction, and the translation of connection failures."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import NoReturn, Self

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.outbound.persistence.sqlalchemy.engine import DEFERRED_BEGIN_OPTION, SQLITE_BUSY_TIMEOUT_MS
from adapters.outbound.persistence.sqlalchemy.queries.analyses import SqlAlchemyAnalysisQueries
from adapters.outbound.persistence.sqlalchemy.queries.decision_quality import SqlAlchemyDecisionQualityQueries
from adapters.outbound.persistence.sqlalchemy.queries.labelled_tickets import SqlAlchemyLabelledTicketQueries
from adapters.outbound.persistence.sqlalchemy.queries.review_queue import SqlAlchemyReviewQueueQueries
from adapters.outbound.persistence.sqlalchemy.repositories.admin_users import SqlAlchemyAdminUserRepository
from adapters.outbound.persistence.sqlalchemy.repositories.analyses import SqlAlchemyAnalysisRepository
from adapters.outbound.persistence.sqlalchemy.repositories.catalogue_stamp import SqlAlchemyCatalogueStamp
from adapters.outbound.persistence.sqlalchemy.repositories.companies import SqlAlchemyCompanyRepository
from adapters.outbound.persistence.sqlalchemy.repositories.human_labels import SqlAlchemyHumanLabelRepository
from adapters.outbound.persistence.sqlalchemy.repositories.labelled_ticket_curation import (
    SqlAlchemyLabelledTicketCuration,
)
from adapters.outbound.persistence.sqlalchemy.repositories.labelled_tickets import SqlAlchemyLabelledTicketRepository
from adapters.outbound.persistence.sqlalchemy.repositories.login_failures import SqlAlchemyLoginFailureRepository
from adapters.outbound.persistence.sqlalchemy.repositories.mislabel_candidates import (
    SqlAlchemyMislabelCandidateRepository,
)
from adapters.outbound.persistence.sqlalchemy.repositories.model_versions import SqlAlchemyModelVersionRepository
from adapters.outbound.persistence.sqlalchemy.repositories.teams import SqlAlchemyTeamRepository
from adapters.outbound.persistence.sqlalchemy.repositories.training_runs import SqlAlchemyTrainingRunRepository
from adapters.outbound.persistence.sqlalchemy.repositories.training_state import SqlAlchemyTrainingStateRepository
from adapters.outbound.persistence.sqlalchemy.sqlite_write_lock import SqliteWriteLock
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
from application.ports.training_run_repository import TrainingRunRepository
from application.ports.training_state_repository import TrainingStateRepository
from domain.errors import StorageUnavailable

logger = logging.getLogger(__name__)

MAX_DETAIL_LENGTH = 300


def is_connection_failure(error: BaseException) -> bool:
    """True for failures that mean "the database is not there right now", as opposed to a bug in a statement."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OSError | sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError)


def storage_unavailable(error: BaseException, url: URL | None) -> StorageUnavailable:
    """A StorageUnavailable naming the database and the driver's reason, never the password or the statement.

    The driver's own error (`orig`) is used rather than SQLAlchemy's message, which would quote the SQL and its
    parameters (ticket texts) too.
    """
    cause = error.orig if isinstance(error, sa_exc.DBAPIError) and error.orig is not None else error
    detail = f"{type(cause).__name__}: {cause}"
    where = "the database"
    if url is not None:
        where = f"database {url.render_as_string(hide_password=True)}"
        if url.password:
            detail = detail.replace(str(url.password), "***")
    if len(detail) > MAX_DETAIL_LENGTH:
        detail = detail[:MAX_DETAIL_LENGTH] + "..."
    return StorageUnavailable(f"{where} is unavailable: {detail}")


class SqlAlchemyUnitOfWork:
    """One transaction over all repositories and queries; leaving without `commit` rolls it back.

    Connection failures from inside the block, from `commit` and from `rollback` leave as
    `domain.errors.StorageUnavailable`; every other exception passes through untouched.
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

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], write_lock: SqliteWriteLock | None = None
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._write_lock = write_lock
        self._held: int | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work can be entered only once; ask the factory for a new one")
        if self._write_lock is not None:
            try:
                self._held = await self._write_lock.acquire()
            except (TimeoutError, OSError) as error:  # waited too long, or the database's folder is not there
                bind = self._session_factory.kw.get("bind")
                raise storage_unavailable(error, bind.url if isinstance(bind, AsyncEngine) else None) from error
        session = self._session_factory()
        self._session = session
        self.companies = SqlAlchemyCompanyRepository(session)
        self.teams = SqlAlchemyTeamRepository(session)
        self.analyses = SqlAlchemyAnalysisRepository(session)
        self.analysis_queries = SqlAlchemyAnalysisQueries(session)
        self.training_state = SqlAlchemyTrainingStateRepository(session)
        self.labelled_tickets = SqlAlchemyLabelledTicketRepository(session)
        self.labelled_ticket_queries = SqlAlchemyLabelledTicketQueries(session)
        self.training_runs = SqlAlchemyTrainingRunRepository(session)
        self.model_versions = SqlAlchemyModelVersionRepository(session)
        self.admin_users = SqlAlchemyAdminUserRepository(session)
        self.login_failures = SqlAlchemyLoginFailureRepository(session)
        self.human_labels = SqlAlchemyHumanLabelRepository(session)
        self.catalogue_stamp = SqlAlchemyCatalogueStamp(session)
        self.review_queue = SqlAlchemyReviewQueueQueries(session)
        self.decision_quality = SqlAlchemyDecisionQualityQueries(session)
        self.mislabel_candidates = SqlAlchemyMislabelCandidateRepository(session)
        self.labelled_ticket_curation = SqlAlchemyLabelledTicketCuration(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._require_session()
        try:
            await session.rollback()
        except Exception as rollback_error:
            if exc is None:
                self._raise_translated(rollback_error)
            logger.warning("rollback after %s failed: %s", type(exc).__name__, type(rollback_error).__name__)
        finally:
            await self._close(session)
            if self._held is not None:
                SqliteWriteLock.release(self._held)
                self._held = None
        if exc is not None and is_connection_failure(exc):
            raise self._unavailable(exc) from exc

    async def commit(self) -> None:
        try:
            await self._require_session().commit()
        except Exception as error:
            self._raise_translated(error)

    async def rollback(self) -> None:
        try:
            await self._require_session().rollback()
        except Exception as error:
            self._raise_translated(error)

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `async with` block")
        return self._session

    def _raise_translated(self, error: Exception) -> NoReturn:
        if is_connection_failure(error):
            raise self._unavailable(error) from error
        raise error

    def _unavailable(self, error: BaseException) -> StorageUnavailable:
        bind = self._session.bind if self._session is not None else None
        if bind is None:
            return storage_unavailable(error, None)
        return storage_unavailable(error, bind.url if isinstance(bind, AsyncEngine) else bind.engine.url)

    @staticmethod
    async def _close(session: AsyncSession) -> None:
        try:
            await session.close()
        except Exception as error:  # noqa: BLE001 - the transaction is already over; a dead connection is dropped
            logger.warning("closing a database session failed: %s", type(error).__name__)


class SqlAlchemyUnitOfWorkFactory:
    """Makes a fresh unit of work per use-case execution, all sharing the engine's connection pool. On a SQLite
    file, units of work that may write first queue for the file's write lock (`SqliteWriteLock`), held until they
    end; units of work that only read (`for_reads`) never wait for it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._session_factory = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        deferred = engine.get_execution_options().get(DEFERRED_BEGIN_OPTION, False)
        self._write_lock = None if deferred else SqliteWriteLock.for_url(engine.url, SQLITE_BUSY_TIMEOUT_MS / 1000)

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._session_factory, self._write_lock)

    def for_reads(self) -> SqlAlchemyUnitOfWorkFactory:
        """Units of work that only read (same pool): on SQLite their transactions begin deferred, so they read
        beside a writer (WAL) instead of queueing behind every write; elsewhere nothing changes."""
        return SqlAlchemyUnitOfWorkFactory(self._engine.execution_options(**{DEFERRED_BEGIN_OPTION: True}))

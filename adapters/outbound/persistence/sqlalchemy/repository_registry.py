"""Every repository and query a SQL unit of work offers: the registry a new repository is added to, in one line.

Each line names the attribute (as the `UnitOfWork` port declares it), the port, and the class that implements it
over one AsyncSession; mypy checks each class against its port here. A repository is built on its first use in a
transaction (`LazyRepository`), so a transaction that reads one table builds one repository.
"""

from __future__ import annotations

from adapters.outbound.persistence.lazy_repository import LazyRepository
from adapters.outbound.persistence.sqlalchemy.queries.analyses import SqlAlchemyAnalysisQueries
from adapters.outbound.persistence.sqlalchemy.queries.decision_quality import SqlAlchemyDecisionQualityQueries
from adapters.outbound.persistence.sqlalchemy.queries.labelled_tickets import SqlAlchemyLabelledTicketQueries
from adapters.outbound.persistence.sqlalchemy.queries.review_queue import SqlAlchemyReviewQueueQueries
from adapters.outbound.persistence.sqlalchemy.queries.ticket_groups import SqlAlchemyTicketGroupQueries
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
from adapters.outbound.persistence.sqlalchemy.repositories.ticket_vectors import SqlAlchemyTicketVectorRepository
from adapters.outbound.persistence.sqlalchemy.repositories.training_runs import SqlAlchemyTrainingRunRepository
from adapters.outbound.persistence.sqlalchemy.repositories.training_state import SqlAlchemyTrainingStateRepository
from adapters.outbound.persistence.sqlalchemy.repositories.work_leases import SqlAlchemyWorkLeases
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


class SqlAlchemyRepositories:
    """The SQL unit of work's repositories; its `repository_source` is the transaction's session."""

    companies = LazyRepository[CompanyRepository](SqlAlchemyCompanyRepository)
    teams = LazyRepository[TeamRepository](SqlAlchemyTeamRepository)
    analyses = LazyRepository[AnalysisRepository](SqlAlchemyAnalysisRepository)
    analysis_queries = LazyRepository[AnalysisQueries](SqlAlchemyAnalysisQueries)
    training_state = LazyRepository[TrainingStateRepository](SqlAlchemyTrainingStateRepository)
    labelled_tickets = LazyRepository[LabelledTicketRepository](SqlAlchemyLabelledTicketRepository)
    labelled_ticket_queries = LazyRepository[LabelledTicketQueries](SqlAlchemyLabelledTicketQueries)
    training_runs = LazyRepository[TrainingRunRepository](SqlAlchemyTrainingRunRepository)
    model_versions = LazyRepository[ModelVersionRepository](SqlAlchemyModelVersionRepository)
    admin_users = LazyRepository[AdminUserRepository](SqlAlchemyAdminUserRepository)
    login_failures = LazyRepository[LoginFailureRepository](SqlAlchemyLoginFailureRepository)
    human_labels = LazyRepository[HumanLabelRepository](SqlAlchemyHumanLabelRepository)
    catalogue_stamp = LazyRepository[CatalogueStamp](SqlAlchemyCatalogueStamp)
    review_queue = LazyRepository[ReviewQueueQueries](SqlAlchemyReviewQueueQueries)
    decision_quality = LazyRepository[DecisionQualityQueries](SqlAlchemyDecisionQualityQueries)
    mislabel_candidates = LazyRepository[MislabelCandidateRepository](SqlAlchemyMislabelCandidateRepository)
    labelled_ticket_curation = LazyRepository[LabelledTicketCuration](SqlAlchemyLabelledTicketCuration)
    ticket_vectors = LazyRepository[TicketVectorRepository](SqlAlchemyTicketVectorRepository)
    ticket_groups = LazyRepository[TicketGroupQueries](SqlAlchemyTicketGroupQueries)
    work_leases = LazyRepository[WorkLease](SqlAlchemyWorkLeases)

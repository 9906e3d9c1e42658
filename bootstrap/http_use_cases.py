"""The use cases the HTTP edge is given, typed, and the start-up check that they match what the handlers ask for.

Each field is a handler parameter name with the use case injected under it. `from_container` names every field
as a keyword, so a misspelt name or a provider of the wrong use case is a type error; `check_handlers` then fails
start-up when a handler's `NamedDependency[...]` annotation names another class than the one provided under its
name, whether the mismatch is in the handler or in the wiring (Litestar itself already refuses a handler whose
dependency is not provided at all).
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, fields

from litestar import Litestar

from application.use_cases.admin_accounts import CountAdminUsers
from application.use_cases.admin_login import AuthenticateAdmin, LogoutAdmin, ResolveAdminSession
from application.use_cases.analyses import GetAnalysisDetail, ListAnalyses
from application.use_cases.analyze_ticket import AnalyzeTicket
from application.use_cases.check_readiness import CheckReadiness
from application.use_cases.companies import CreateCompany, DeleteCompany, GetCompany, ListCompanies, UpdateCompany
from application.use_cases.dashboard import GetDashboard
from application.use_cases.decision_quality import GetDecisionQuality
from application.use_cases.import_labelled_tickets import ImportLabelledTickets
from application.use_cases.labelled_tickets import ListLabelledTickets, RecordLabelledTickets, SubmitFeedback
from application.use_cases.mislabels import ListMislabelCandidates, ResolveMislabelCandidate
from application.use_cases.models import ActivateModel, GetModelStoreUsage, ListModels
from application.use_cases.read_metrics import ReadMetrics
from application.use_cases.review_queue import ListReviewQueue
from application.use_cases.teams import CreateTeam, DeleteTeam, GetTeam, ListTeams, UpdateTeam
from application.use_cases.training_run_report import GetTrainingRunReport
from application.use_cases.training_runs import GetTrainingRun, ListTrainingRuns
from application.use_cases.training_status import GetTrainingStatus
from application.use_cases.trigger_retraining import TriggerRetraining
from bootstrap.container import Container


class StartupCheckError(RuntimeError):
    """The HTTP handlers and the use cases provided to them do not match."""


@dataclass(frozen=True, slots=True)
class HttpUseCases:
    analyze_ticket: Callable[[], AnalyzeTicket]
    check_readiness: Callable[[], CheckReadiness]
    get_training_status: Callable[[], GetTrainingStatus]
    list_companies: Callable[[], ListCompanies]
    get_company: Callable[[], GetCompany]
    create_company: Callable[[], CreateCompany]
    update_company: Callable[[], UpdateCompany]
    delete_company: Callable[[], DeleteCompany]
    list_teams: Callable[[], ListTeams]
    get_team: Callable[[], GetTeam]
    create_team: Callable[[], CreateTeam]
    update_team: Callable[[], UpdateTeam]
    delete_team: Callable[[], DeleteTeam]
    record_labelled_tickets: Callable[[], RecordLabelledTickets]
    list_labelled_tickets: Callable[[], ListLabelledTickets]
    submit_feedback: Callable[[], SubmitFeedback]
    list_review_queue: Callable[[], ListReviewQueue]
    list_models: Callable[[], ListModels]
    activate_model: Callable[[], ActivateModel]
    get_model_store_usage: Callable[[], GetModelStoreUsage]
    trigger_retraining: Callable[[], TriggerRetraining]
    list_training_runs: Callable[[], ListTrainingRuns]
    get_training_run: Callable[[], GetTrainingRun]
    # The admin site (resolve_admin_session is read by the session guard from the app's state, not by a handler).
    count_admin_users: Callable[[], CountAdminUsers]
    authenticate_admin: Callable[[], AuthenticateAdmin]
    resolve_admin_session: Callable[[], ResolveAdminSession]
    logout_admin: Callable[[], LogoutAdmin]
    get_dashboard: Callable[[], GetDashboard]
    get_decision_quality: Callable[[], GetDecisionQuality]
    list_analyses: Callable[[], ListAnalyses]
    get_analysis_detail: Callable[[], GetAnalysisDetail]
    get_training_run_report: Callable[[], GetTrainingRunReport]
    import_labelled_tickets: Callable[[], ImportLabelledTickets]
    read_metrics: Callable[[], ReadMetrics]
    list_mislabel_candidates: Callable[[], ListMislabelCandidates]
    resolve_mislabel_candidate: Callable[[], ResolveMislabelCandidate]

    @classmethod
    def from_container(cls, container: Container) -> HttpUseCases:
        c = container
        return cls(
            analyze_ticket=c.analyze_ticket,
            check_readiness=c.check_readiness,
            get_training_status=c.get_training_status,
            list_companies=c.list_companies,
            get_company=c.get_company,
            create_company=c.create_company,
            update_company=c.update_company,
            delete_company=c.delete_company,
            list_teams=c.list_teams,
            get_team=c.get_team,
            create_team=c.create_team,
            update_team=c.update_team,
            delete_team=c.delete_team,
            record_labelled_tickets=c.record_labelled_tickets,
            list_labelled_tickets=c.list_labelled_tickets,
            submit_feedback=c.submit_feedback,
            list_review_queue=c.list_review_queue,
            list_models=c.list_models,
            activate_model=c.activate_model,
            get_model_store_usage=c.get_model_store_usage,
            trigger_retraining=c.trigger_retraining,
            list_training_runs=c.list_training_runs,
            get_training_run=c.get_training_run,
            count_admin_users=c.count_admin_users,
            authenticate_admin=c.authenticate_admin,
            resolve_admin_session=c.resolve_admin_session,
            logout_admin=c.logout_admin,
            get_dashboard=c.get_dashboard,
            get_decision_quality=c.get_decision_quality,
            list_analyses=c.list_analyses,
            get_analysis_detail=c.get_analysis_detail,
            get_training_run_report=c.get_training_run_report,
            import_labelled_tickets=c.import_labelled_tickets,
            read_metrics=c.read_metrics,
            list_mislabel_candidates=c.list_mislabel_candidates,
            resolve_mislabel_candidate=c.resolve_mislabel_candidate,
        )

    def dependencies(self) -> dict[str, Callable[[], object]]:
        """What `create_app` turns into Litestar dependencies, one per field."""
        return {f.name: _zero_argument(getattr(self, f.name)) for f in fields(self)}

    def check_handlers(self, app: Litestar) -> None:
        """Fails when a handler's parameter named like a field is annotated with another use case than provided."""
        hints = typing.get_type_hints(HttpUseCases)
        provided = {name: self._provided_class(name, hint) for name, hint in hints.items()}
        mismatches = sorted(
            f"{handler}: {name} is {wanted.__name__}, but {provided[name].__name__} is provided"
            for handler, name, wanted in _handler_dependencies(app)
            if name in provided and wanted is not provided[name]
        )
        if mismatches:
            raise StartupCheckError("HTTP handlers and use cases disagree: " + "; ".join(mismatches))

    def _provided_class(self, name: str, hint: object) -> type:
        """The class a dependency-injector factory builds; the declared one for any other callable."""
        declared: type = typing.get_args(hint)[-1]
        built = getattr(getattr(self, name), "provides", None)
        return built if isinstance(built, type) else declared


def _handler_dependencies(app: Litestar) -> list[tuple[str, str, type]]:
    """(handler, parameter, class) for every class-typed parameter of every route handler."""
    found: list[tuple[str, str, type]] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for name, parameter in handler.parsed_fn_signature.parameters.items():
                if isinstance(parameter.annotation, type):
                    found.append((handler.handler_name, name, parameter.annotation))
    return found


def _zero_argument(provider: Callable[[], object]) -> Callable[[], object]:
    """Litestar inspects a dependency's signature, so each provider is wrapped in a plain function."""

    def provide() -> object:
        return provider()

    return provide

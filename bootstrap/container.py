"""The one place that decides which adapter serves which port (dependency-injector).

Settings reach the application as typed policies built once here (`trigger_policy`, `analysis_settings`,
`routing_policy`, `login_policy`): the retraining threshold, for one, is read from the settings in `_trigger_policy`
only, and every object that needs it (the trigger, the training status, the dashboard) gets it from that policy.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from dependency_injector import containers, providers

from adapters.outbound.clustering.hdbscan_clusterer import HdbscanTopicClusterer
from adapters.outbound.datasets.import_limits import ImportLimits
from adapters.outbound.datasets.spreadsheet_reader import SpreadsheetFileReader
from adapters.outbound.datasets.training_exporter import SpreadsheetTrainingExporter
from adapters.outbound.metrics.prometheus_metrics import PrometheusExposition, PrometheusMetrics
from adapters.outbound.ml.serving.minilm_embedder import MiniLmEmbedder
from adapters.outbound.ml.serving.served_classifier import ServedCategoryModel
from adapters.outbound.ml.serving.spacy_sentiment import SpacyTextBlobSentiment
from adapters.outbound.ml.serving.zero_shot_classifier import EmbeddingZeroShotClassifier, load_label_descriptions
from adapters.outbound.ml.training.hybrid_trainer import HybridModelTrainer
from adapters.outbound.ml.training.mislabel_detector import SklearnMislabelDetector
from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from adapters.outbound.model_store.object_store import ObjectModelStore
from adapters.outbound.model_store.version_cache import VersionCache
from adapters.outbound.notifications.in_process_registry_changes import InProcessRegistryChanges
from adapters.outbound.notifications.redis_registry_changes import RedisRegistryChanges
from adapters.outbound.persistence.sqlalchemy.engine import SqlAlchemyStorageHealth, create_engine_for
from adapters.outbound.persistence.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from adapters.outbound.queue.dramatiq_job_queue import DramatiqRetrainingQueue
from adapters.outbound.queue.in_process_job_queue import InProcessRetrainingQueue
from adapters.outbound.security.argon2_hasher import Argon2PasswordHasher
from adapters.outbound.similarity.numpy_bursts import NumpyBurstFinder
from adapters.outbound.similarity.numpy_index import NumpyVectorIndex
from adapters.outbound.system.clock import SystemClock
from adapters.outbound.system.process_identity import process_holder_id
from application.services.abandoned_runs import AbandonedRuns
from application.services.analysis_recorder import AnalysisRecorder
from application.services.bursts import BurstWatch
from application.services.company_catalogue import CompanyCatalogue
from application.services.mislabel_listing import MislabelListing
from application.services.model_retention import ModelRetention
from application.services.reembed_tickets import ReembedTickets
from application.services.retraining_trigger import RetrainingTrigger
from application.services.similar_tickets import SimilarTickets
from application.services.team_router import TeamRouter
from application.use_cases.admin_accounts import ChangeAdminPassword, CountAdminUsers, CreateAdminUser
from application.use_cases.admin_login import AuthenticateAdmin, LogoutAdmin, ResolveAdminSession
from application.use_cases.analyses import GetAnalysisDetail, ListAnalyses
from application.use_cases.analyze_ticket import AnalysisSettings, AnalyzeTicket
from application.use_cases.check_readiness import CheckReadiness
from application.use_cases.companies import CreateCompany, DeleteCompany, GetCompany, ListCompanies, UpdateCompany
from application.use_cases.dashboard import GetDashboard
from application.use_cases.decision_quality import GetDecisionQuality
from application.use_cases.emerging_topics import CreateCategoryFromTopic, FindEmergingTopics
from application.use_cases.export_tickets_and_retrain import ExportTicketsAndRetrain, RetrainingSettings
from application.use_cases.import_labelled_tickets import ImportLabelledTickets
from application.use_cases.labelled_tickets import ListLabelledTickets, RecordLabelledTickets, SubmitFeedback
from application.use_cases.mislabels import ListMislabelCandidates, ResolveMislabelCandidate
from application.use_cases.models import ActivateModel, GetModelStoreUsage, ListModels, SyncServedModel
from application.use_cases.read_metrics import ReadMetrics
from application.use_cases.review_queue import ListReviewQueue
from application.use_cases.seed_demo_data import SeedDemoData
from application.use_cases.similar_tickets import FindSimilarTickets
from application.use_cases.team_derivations import DerivationLimits, ReadTeamDerivations
from application.use_cases.teams import CreateTeam, DeleteTeam, GetTeam, ListTeams, UpdateTeam
from application.use_cases.training_run_report import GetTrainingRunReport
from application.use_cases.training_runs import GetTrainingRun, ListTrainingRuns, StartTrainingRun
from application.use_cases.training_status import GetTrainingStatus
from application.use_cases.trigger_retraining import TriggerRetraining
from bootstrap.policies import routing_policy, similar_tickets_policy
from bootstrap.settings import Settings
from bootstrap.ticket_groups import burst_policy, topic_policy
from bootstrap.training_job import RetrainingJob, training_process_for
from domain.login_throttle import LoginThrottlePolicy
from domain.priority import PriorityThresholds
from domain.training import TriggerPolicy
from domain.training_plan import RetrainingPolicy

TRAINING_QUEUE = "training"


def _analysis_settings(settings: Settings) -> AnalysisSettings:
    return AnalysisSettings(
        thresholds=PriorityThresholds(settings.priority_high_below, settings.priority_medium_below),
        max_description_length=settings.max_description_length,
        max_batch_size=settings.analyze_batch_max,
    )


EMBEDDER_SPACE = "base:all-minilm-l6-v2"
"""The space of the embedder's vectors (the packaged MiniLM), where tickets go while no served version gives its own."""


def _trigger_policy(settings: Settings) -> TriggerPolicy:
    return TriggerPolicy(
        settings.analyze_training_threshold,
        settings.retrain_min_new_labels,
        timedelta(seconds=settings.training_timeout_s),
    )


def retraining_settings(settings: Settings) -> RetrainingSettings:
    every = settings.retrain_full_every_s
    policy = RetrainingPolicy(
        full_growth=settings.retrain_full_growth,
        full_every=timedelta(seconds=every) if every else None,
        replay=settings.retrain_update_replay,
        new_weight=settings.retrain_update_new_weight,
    )
    return RetrainingSettings(
        policy=policy,
        update_epochs=settings.train_update_epochs,
        heartbeat_grace_s=settings.training_heartbeat_grace_s,
    )


def _heartbeat_grace(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.training_heartbeat_grace_s)


def _retraining_job(
    uow_factory: Any,
    exporter: Any,
    store: Any,
    clock: Any,
    settings: RetrainingSettings,
    changes: Any,
    retention: Any,
    process: Any,
) -> RetrainingJob:
    """One job: its training process is its trainer and its mislabel detector, and ends with the job."""
    mislabels = MislabelListing(uow_factory, process)
    job = ExportTicketsAndRetrain(
        uow_factory, exporter, process, store, clock, settings, mislabels, changes=changes, retention=retention
    )
    return RetrainingJob(job, process)


def _login_policy(settings: Settings) -> LoginThrottlePolicy:
    first = timedelta(seconds=settings.login_lockout_s)
    return LoginThrottlePolicy(
        max_failures_per_user=settings.login_max_failures,
        max_failures_per_address=4 * settings.login_max_failures,
        first_lockout=first,
        max_lockout=max(first, timedelta(minutes=15)),
    )


def fine_tune_config(settings: Settings) -> Any:
    """The trainer's FineTuneConfig from the settings (benchmarks and tests start from it as well)."""
    from adapters.outbound.ml.training.config import FineTuneConfig

    return FineTuneConfig(
        epochs=settings.train_epochs,
        batch_size=settings.train_batch_size,
        max_length=settings.train_max_length,
        learning_rate=settings.train_learning_rate,
        time_budget_s=settings.train_time_budget_s,
        precision=settings.train_precision,
    )


def _for_reads(uow_factory: Any) -> Any:
    """The read-only flavour of the unit of work where the adapter has one (a fake in tests has not)."""
    for_reads = getattr(uow_factory, "for_reads", None)
    return for_reads() if for_reads is not None else uow_factory


def _model_store(settings: Settings) -> Any:
    """The folder MODEL_STORE_DIR, or the bucket of MODEL_STORE_URL with this host's cache in MODEL_CACHE_DIR."""
    if settings.model_store_url is None:
        return FilesystemModelStore(settings.model_store_dir)
    url = urlsplit(settings.model_store_url)
    cache = VersionCache(settings.model_cache_dir, settings.model_cache_versions)
    return ObjectModelStore(url.netloc, url.path, cache)


def _registry_changes(settings: Settings) -> Any:
    """Over the broker's Redis when there is one (every process on every host hears), else within this process."""
    if settings.broker_url is None:
        return InProcessRegistryChanges()
    return RedisRegistryChanges(settings.broker_url)


def _redis_broker(settings: Settings) -> Any:
    if settings.broker_url is None:
        return None
    from dramatiq.brokers.redis import RedisBroker

    return RedisBroker(url=settings.broker_url)


def _job_queue(settings: Settings, broker: Any, run_retraining: Any) -> Any:
    if broker is not None:
        return DramatiqRetrainingQueue(broker, TRAINING_QUEUE)
    return InProcessRetrainingQueue(lambda run_id: run_retraining().execute(run_id))


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    engine = providers.Singleton(create_engine_for, settings.provided.database_url)
    uow_factory = providers.Singleton(SqlAlchemyUnitOfWorkFactory, engine)
    storage_health = providers.Singleton(SqlAlchemyStorageHealth, engine)
    broker = providers.Singleton(_redis_broker, settings)
    model_store = providers.Singleton(_model_store, settings)
    registry_changes = providers.Singleton(_registry_changes, settings)
    model_retention = providers.Factory(ModelRetention, uow_factory, model_store, settings.provided.model_keep_last)

    embedder = providers.Singleton(MiniLmEmbedder)
    sentiment = providers.Singleton(SpacyTextBlobSentiment, settings.provided.spacy_pipeline)
    label_descriptions = providers.Singleton(load_label_descriptions, settings.provided.labels_file)
    zero_shot_classifier = providers.Singleton(EmbeddingZeroShotClassifier, embedder, label_descriptions)
    # ONNX Runtime gets the intra-op thread count torch gets (TORCH_THREADS; `serve --workers N` sets it to each
    # process's share of the cores), so either runtime shares the cores alike.
    classifier = providers.Singleton(
        ServedCategoryModel,
        zero_shot_classifier,
        store=model_store,
        runtime=settings.provided.inference_runtime,
        threads=settings.provided.torch_threads,
    )

    trigger_policy = providers.Singleton(_trigger_policy, settings)
    analysis_settings = providers.Singleton(_analysis_settings, settings)
    routing_policy = providers.Singleton(routing_policy, settings)

    exporter = providers.Singleton(
        SpreadsheetTrainingExporter,
        settings.provided.training_export_path,
        settings.provided.training_export_sheet_name,
        settings.provided.training_data_dir,
    )
    trainer = providers.Singleton(
        HybridModelTrainer,
        model_store,
        providers.Singleton(fine_tune_config, settings),
        base_model_dir=settings.provided.train_base_model_dir,
        kind=settings.provided.train_model_kind,
        warm_start_epochs=settings.provided.train_warm_start_epochs,
        serving_runtime=settings.provided.inference_runtime,
        update_learning_rate=settings.provided.train_update_learning_rate,
    )
    retraining_settings = providers.Singleton(retraining_settings, settings)
    heartbeat_grace = providers.Singleton(_heartbeat_grace, settings)
    abandoned_runs = providers.Factory(AbandonedRuns, uow_factory, clock, heartbeat_grace)
    mislabel_detector = providers.Singleton(SklearnMislabelDetector)
    # `trainer` and `mislabel_detector` run inside the training process (bootstrap.training_process); every job
    # (worker, embedded API, `ticket-utils train`) reaches them through a training process of its own.
    training_process = providers.Factory(training_process_for, settings)
    export_tickets_and_retrain = providers.Factory(
        _retraining_job,
        uow_factory,
        exporter,
        model_store,
        clock,
        retraining_settings,
        registry_changes,
        model_retention,
        training_process,
    )
    job_queue = providers.Singleton(_job_queue, settings, broker, export_tickets_and_retrain.provider)

    retraining_trigger = providers.Factory(
        RetrainingTrigger, uow_factory, job_queue, clock, trigger_policy, abandoned_runs
    )
    start_training_run = providers.Factory(StartTrainingRun, retraining_trigger)
    trigger_retraining = providers.Factory(TriggerRetraining, retraining_trigger)
    # One per process: the cache of companies and teams, the served model's readings of the teams (in the router),
    # the group commit every request's analyses share (in the recorder), and the metrics every request reports to.
    company_catalogue = providers.Singleton(CompanyCatalogue)
    team_router = providers.Singleton(TeamRouter, classifier, embedder, routing_policy)
    analysis_recorder = providers.Singleton(AnalysisRecorder, retraining_trigger)
    metrics = providers.Singleton(PrometheusMetrics)
    reads_uow_factory = providers.Singleton(_for_reads, uow_factory)
    # One per process too: the similar-ticket index and what it loaded, and the re-embedding after a swap.
    vector_index = providers.Singleton(NumpyVectorIndex, settings.provided.similar_tickets_pass_ms)
    similar_tickets = providers.Singleton(
        SimilarTickets,
        reads_uow_factory,
        vector_index,
        classifier,
        embedder,
        EMBEDDER_SPACE,
        providers.Singleton(similar_tickets_policy, settings),
        settings.provided.similar_tickets_refresh_s,
    )
    # First built by each serving process at its startup, so each holds its leases under an id of its own.
    reembed_tickets = providers.Singleton(
        ReembedTickets,
        uow_factory,
        similar_tickets,
        settings.provided.reembed_batch_size,
        clock,
        providers.Callable(process_holder_id),
    )
    find_similar_tickets = providers.Factory(FindSimilarTickets, similar_tickets)
    analyze_ticket = providers.Factory(
        AnalyzeTicket,
        reads_uow_factory,
        classifier,
        sentiment,
        team_router,
        analysis_recorder,
        company_catalogue,
        clock,
        analysis_settings,
        metrics,
        similar_tickets,
    )
    burst_finder = providers.Singleton(NumpyBurstFinder)
    burst_watch = providers.Singleton(
        BurstWatch,
        uow_factory,
        clock,
        metrics,
        burst_finder,
        providers.Singleton(burst_policy, settings),
        settings.provided.burst_refresh_s,
        settings.provided.burst_max_tickets,
    )
    read_metrics = providers.Factory(ReadMetrics, uow_factory, providers.Singleton(PrometheusExposition), burst_watch)
    check_readiness = providers.Factory(CheckReadiness, storage_health, classifier, sentiment, embedder, job_queue)
    get_training_status = providers.Factory(GetTrainingStatus, uow_factory, trigger_policy, abandoned_runs)

    list_companies = providers.Factory(ListCompanies, uow_factory)
    get_company = providers.Factory(GetCompany, uow_factory)
    create_company = providers.Factory(CreateCompany, uow_factory)
    update_company = providers.Factory(UpdateCompany, uow_factory)
    delete_company = providers.Factory(DeleteCompany, uow_factory)
    list_teams = providers.Factory(ListTeams, uow_factory)
    get_team = providers.Factory(GetTeam, uow_factory)
    read_team_derivations = providers.Factory(
        ReadTeamDerivations,
        uow_factory,
        team_router,
        providers.Factory(
            DerivationLimits, settings.provided.derived_confidence_min, settings.provided.derived_margin_min
        ),
    )
    create_team = providers.Factory(CreateTeam, uow_factory, embedder)
    update_team = providers.Factory(UpdateTeam, uow_factory, embedder)
    delete_team = providers.Factory(DeleteTeam, uow_factory)
    seed_demo_data = providers.Factory(SeedDemoData, uow_factory, embedder)

    record_labelled_tickets = providers.Factory(
        RecordLabelledTickets, uow_factory, clock, settings.provided.max_description_length, retraining_trigger
    )
    list_labelled_tickets = providers.Factory(ListLabelledTickets, uow_factory)
    submit_feedback = providers.Factory(
        SubmitFeedback,
        uow_factory,
        clock,
        retraining_trigger,
        settings.provided.team_evidence_per_team,
        similar_tickets,
    )
    topic_clusterer = providers.Singleton(HdbscanTopicClusterer)
    # One per process: it keeps each company's topics for TOPIC_REFRESH_SECONDS.
    find_emerging_topics = providers.Singleton(
        FindEmergingTopics,
        reads_uow_factory,
        topic_clusterer,
        clock,
        providers.Singleton(topic_policy, settings),
        settings.provided.topic_refresh_s,
        providers.Callable(tuple, label_descriptions),
    )
    create_category_from_topic = providers.Factory(CreateCategoryFromTopic, submit_feedback, find_emerging_topics)
    list_review_queue = providers.Factory(ListReviewQueue, uow_factory)
    get_decision_quality = providers.Factory(GetDecisionQuality, uow_factory)
    list_models = providers.Factory(ListModels, uow_factory)
    activate_model = providers.Factory(ActivateModel, uow_factory, clock, registry_changes)
    get_model_store_usage = providers.Factory(GetModelStoreUsage, model_store)
    list_training_runs = providers.Factory(ListTrainingRuns, uow_factory, abandoned_runs)
    get_training_run = providers.Factory(GetTrainingRun, uow_factory, abandoned_runs)
    sync_served_model = providers.Factory(SyncServedModel, uow_factory, classifier, clock)
    import_limits = providers.Singleton(
        ImportLimits, settings.provided.import_max_rows, settings.provided.import_max_unpacked_bytes
    )
    spreadsheet_reader = providers.Singleton(SpreadsheetFileReader, import_limits)
    import_labelled_tickets = providers.Factory(
        ImportLabelledTickets, uow_factory, spreadsheet_reader, clock, settings.provided.max_description_length
    )

    password_hasher = providers.Singleton(Argon2PasswordHasher)
    login_policy = providers.Singleton(_login_policy, settings)
    create_admin_user = providers.Factory(CreateAdminUser, uow_factory, password_hasher, clock)
    change_admin_password = providers.Factory(ChangeAdminPassword, uow_factory, password_hasher)
    count_admin_users = providers.Factory(CountAdminUsers, uow_factory)
    authenticate_admin = providers.Factory(
        AuthenticateAdmin, uow_factory, password_hasher, clock, login_policy, reads_uow_factory
    )
    resolve_admin_session = providers.Factory(ResolveAdminSession, uow_factory)
    logout_admin = providers.Factory(LogoutAdmin, uow_factory)
    get_dashboard = providers.Factory(GetDashboard, uow_factory, clock, trigger_policy)
    list_analyses = providers.Factory(ListAnalyses, uow_factory)
    get_analysis_detail = providers.Factory(GetAnalysisDetail, uow_factory)
    get_training_run_report = providers.Factory(GetTrainingRunReport, uow_factory)
    list_mislabel_candidates = providers.Factory(ListMislabelCandidates, uow_factory)
    resolve_mislabel_candidate = providers.Factory(ResolveMislabelCandidate, uow_factory, clock)


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    return container

"""Configuration from the environment and a `.env` file, with the seed service's variable names.

Each setting is declared once, as a field of `Settings` (or of `DatabaseVariables`, the sources of the database
URL): its type, its default, its environment variable(s) and its parser with the bounds it enforces. Every value
is validated at start-up; a bad one stops the process with a `ConfigError` naming the variable. The process
environment wins over `.env`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote_plus, urlsplit

from dotenv import dotenv_values

from bootstrap.setting_parsers import (
    API_KEYS,
    BOOL,
    CACHED_VERSIONS,
    DATABASE_URL,
    EXISTING_DIR,
    EXISTING_FILE,
    GROUP_SIZE,
    INFERENCE_RUNTIME,
    LOG_LEVEL,
    MODEL_KIND,
    NON_NEGATIVE_INT,
    NON_NEGATIVE_SECONDS,
    PATH,
    POSITIVE_FLOAT,
    POSITIVE_INT,
    POSITIVE_SECONDS,
    PROBABILITY,
    REDIS_URL,
    S3_URL,
    SESSION_SECRET,
    SHEET_NAME,
    TCP_PORT,
    TEXT,
    TRAIN_PRECISION,
    UNIT_INTERVAL,
    Parser,
)
from bootstrap.setting_parsers import MIN_SESSION_SECRET_LENGTH as MIN_SESSION_SECRET_LENGTH

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
D = TypeVar("D")
S = TypeVar("S", bound="DataclassInstance")
DEFAULT_SQLITE_PATH = "data/ticket_utils.sqlite3"
DEFAULT_SESSION_SECRET_FILE = "data/session_secret"
_ENV = "env"


class ConfigError(ValueError):
    """A configuration variable has a value the service cannot use."""


@dataclass(frozen=True, slots=True)
class Variable:
    """Where one setting comes from: its variable names (the first one set wins) and how its text is parsed."""

    names: tuple[str, ...]
    parser: Parser[Any]
    secret: bool = False
    """A secret's value never appears in an error message."""
    derive: Callable[[Mapping[str, object]], object] | None = None
    """For a default that depends on other settings: computed from the values read so far."""


def setting(default: D, name: str, parser: Parser[T], *aliases: str, secret: bool = False) -> T | D:
    """A dataclass field read from `name` (or, when it is unset, the first set alias); `default` when none is set."""
    # The Field object stands in for the value, as `dataclasses.field` does; typed as the value for the checker.
    variable = Variable((name, *aliases), parser, secret)
    return field(default=default, repr=not secret, metadata={_ENV: variable})


def derived_setting(name: str, parser: Parser[T], derive: Callable[[Mapping[str, object]], T]) -> T:
    """A field read from `name`; when it is unset, `derive` computes it from the settings read before it."""
    # As in `setting`: the Field object stands in for the value, which the checker cannot see.
    return field(metadata={_ENV: Variable((name,), parser, derive=derive)})  # type: ignore[no-any-return]


def is_embedded(database_url: str, broker_url: str | None) -> bool:
    """No database server and no broker configured: one process runs everything."""
    return database_url.startswith("sqlite") and broker_url is None


def _embedded_by_default(values: Mapping[str, object]) -> bool:
    broker_url = values.get("broker_url")
    return is_embedded(str(values["database_url"]), broker_url if isinstance(broker_url, str) else None)


@dataclass(frozen=True, kw_only=True, slots=True)
class DatabaseVariables:
    """The sources of `Settings.database_url`: DATABASE_URL, else the seed's DB_* variables, else SQLITE_PATH."""

    url: str | None = setting(None, "DATABASE_URL", DATABASE_URL, secret=True)
    host: str | None = setting(None, "DB_HOST", TEXT)
    port: int = setting(3306, "DB_PORT", TCP_PORT)
    name: str | None = setting(None, "DB_NAME", TEXT)
    user: str | None = setting(None, "DB_USER", TEXT)
    password: str = setting("", "DB_PASSWORD", TEXT, secret=True)
    sqlite_path: str = setting(DEFAULT_SQLITE_PATH, "SQLITE_PATH", TEXT)

    def database_url(self) -> str:
        if self.url is not None:
            return self.url
        if self.host is None:
            return f"sqlite+aiosqlite:///{self.sqlite_path}"
        if self.name is None:
            raise ConfigError("DB_NAME must be set when DB_HOST is set")
        if self.user is None:
            raise ConfigError("DB_USER must be set when DB_HOST is set")
        credentials = quote_plus(self.user) + (f":{quote_plus(self.password)}" if self.password else "")
        return f"mysql+aiomysql://{credentials}@{self.host}:{self.port}/{self.name}?charset=utf8mb4"


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Every setting of the service: the one table of names, types, defaults and bounds (see the README)."""

    database_url: str
    """Built from `DatabaseVariables`."""
    broker_url: str | None = setting(None, "BROKER_URL", REDIS_URL, "CELERY_BROKER_URL")
    host: str = setting("127.0.0.1", "HOST", TEXT)
    port: int = setting(8002, "PORT", TCP_PORT)
    forwarded_allow_ips: str | None = setting(None, "FORWARDED_ALLOW_IPS", TEXT)
    log_level: str = setting("INFO", "LOG_LEVEL", LOG_LEVEL)
    analyze_training_threshold: int = setting(100, "ANALYZE_TRAINING_THRESHOLD", POSITIVE_INT)
    retrain_min_new_labels: int = setting(1, "RETRAIN_MIN_NEW_LABELS", NON_NEGATIVE_INT)
    retrain_full_every_s: int = setting(7 * 24 * 3600, "RETRAIN_FULL_EVERY", NON_NEGATIVE_SECONDS)
    retrain_full_growth: float = setting(0.2, "RETRAIN_FULL_GROWTH", POSITIVE_FLOAT)
    retrain_update_replay: int = setting(2000, "RETRAIN_UPDATE_REPLAY", NON_NEGATIVE_INT)
    train_update_epochs: float = setting(1.0, "TRAIN_UPDATE_EPOCHS", POSITIVE_FLOAT)
    train_update_learning_rate: float = setting(2e-5, "TRAIN_UPDATE_LEARNING_RATE", POSITIVE_FLOAT)
    retrain_update_new_weight: int = setting(16, "RETRAIN_UPDATE_NEW_WEIGHT", POSITIVE_INT)
    training_timeout_s: int = setting(6 * 3600, "TRAINING_TIMEOUT", POSITIVE_SECONDS)
    training_heartbeat_grace_s: float = setting(300.0, "TRAINING_HEARTBEAT_GRACE", POSITIVE_FLOAT)
    training_export_path: Path = setting(Path("exports/tickets_training.xlsx"), "TRAINING_EXPORT_PATH", PATH)
    training_export_sheet_name: str = setting("Sheet1", "TRAINING_EXPORT_SHEET_NAME", SHEET_NAME)
    training_data_dir: Path = setting(Path("training_data"), "TRAINING_DATA_DIR", PATH)
    model_store_dir: Path = setting(Path("models"), "MODEL_STORE_DIR", PATH)
    model_poll_interval_s: float = setting(2.0, "MODEL_POLL_SECONDS", POSITIVE_FLOAT)
    model_store_url: str | None = setting(None, "MODEL_STORE_URL", S3_URL)
    """Unset: versions live in `model_store_dir`; set: in that bucket, every host keeping copies in its cache."""
    model_cache_dir: Path = setting(Path("model_cache"), "MODEL_CACHE_DIR", PATH)
    model_cache_versions: int = setting(3, "MODEL_CACHE_VERSIONS", CACHED_VERSIONS)
    model_keep_last: int = setting(5, "MODEL_KEEP_LAST", POSITIVE_INT)
    labels_file: Path | None = setting(None, "LABELS_FILE", EXISTING_FILE)
    bert_conf_min: float = setting(0.5, "BERT_CONF_MIN", PROBABILITY)
    sim_min: float = setting(0.1, "SIM_MIN", UNIT_INTERVAL)
    team_evidence_per_team: int = setting(50, "TEAM_EVIDENCE_PER_TEAM", POSITIVE_INT)
    """Confirmed tickets kept per team as its evidence (the newest)."""
    team_evidence_prior: float = setting(1.0, "TEAM_EVIDENCE_PRIOR", POSITIVE_FLOAT)
    """What a team's description weighs, in confirmed tickets: n tickets weigh n / (n + prior)."""
    team_label_share_min: float = setting(0.2, "TEAM_LABEL_SHARE_MIN", PROBABILITY)
    """The least share of a label a description-only team's reading must give it to take it (label_owners)."""
    derived_confidence_min: float = setting(0.65, "DERIVED_CONFIDENCE_MIN", PROBABILITY)
    derived_margin_min: float = setting(0.2, "DERIVED_MARGIN_MIN", PROBABILITY)
    """A derived team category below either is flagged weak on the dashboard."""
    priority_high_below: float = setting(-0.3, "PRIORITY_HIGH_BELOW", UNIT_INTERVAL)
    priority_medium_below: float = setting(0.3, "PRIORITY_MEDIUM_BELOW", UNIT_INTERVAL)
    max_description_length: int = setting(10_000, "MAX_DESCRIPTION_LENGTH", POSITIVE_INT)
    max_body_bytes: int = setting(1_048_576, "MAX_BODY_BYTES", POSITIVE_INT)
    analyze_batch_max: int = setting(256, "ANALYZE_BATCH_MAX", POSITIVE_INT)
    burst_min: int = setting(5, "BURST_MIN", GROUP_SIZE)
    burst_similarity: float = setting(0.85, "BURST_SIMILARITY", UNIT_INTERVAL)
    burst_window_minutes: float = setting(60.0, "BURST_WINDOW_MINUTES", POSITIVE_FLOAT)
    burst_refresh_s: float = setting(30.0, "BURST_REFRESH_SECONDS", POSITIVE_FLOAT)
    """Bursts are detected again at most this often (each process, on the dashboard's or the scrape's read)."""
    burst_max_tickets: int = setting(1000, "BURST_MAX_TICKETS", POSITIVE_INT)
    """The newest tickets per company a detection looks at: its cost grows with their square."""
    topic_window_days: float = setting(14.0, "TOPIC_WINDOW_DAYS", POSITIVE_FLOAT)
    topic_max_tickets: int = setting(2000, "TOPIC_MAX_TICKETS", POSITIVE_INT)
    """The newest candidate tickets per company the emerging-topics page clusters: time and memory grow with their
    square (2,000: a fraction of a second and about 30 MiB of distances)."""
    topic_min_cluster_size: int = setting(5, "TOPIC_MIN_CLUSTER_SIZE", GROUP_SIZE)
    topic_refresh_s: float = setting(60.0, "TOPIC_REFRESH_SECONDS", POSITIVE_FLOAT)
    """A company's topics are clustered again at most this often (each process, when its page is opened)."""
    spacy_pipeline: str = setting("blank:en", "SPACY_PIPELINE", TEXT)
    torch_threads: int | None = setting(None, "TORCH_THREADS", POSITIVE_INT)
    inference_runtime: str = setting("onnx-int8", "INFERENCE_RUNTIME", INFERENCE_RUNTIME)
    seed_demo_data: bool = derived_setting("SEED_DEMO_DATA", BOOL, _embedded_by_default)
    train_epochs: float = setting(3.0, "TRAIN_EPOCHS", POSITIVE_FLOAT)
    train_warm_start_epochs: float = setting(1.0, "TRAIN_WARM_START_EPOCHS", POSITIVE_FLOAT)
    train_batch_size: int = setting(32, "TRAIN_BATCH_SIZE", POSITIVE_INT)
    train_max_length: int = setting(128, "TRAIN_MAX_LENGTH", POSITIVE_INT)
    train_learning_rate: float = setting(1e-4, "TRAIN_LEARNING_RATE", POSITIVE_FLOAT)
    train_time_budget_s: int = setting(3600, "TRAIN_TIME_BUDGET", POSITIVE_SECONDS)
    train_base_model_dir: Path | None = setting(None, "TRAIN_BASE_MODEL_DIR", EXISTING_DIR)
    train_model_kind: str = setting("hybrid", "TRAIN_MODEL_KIND", MODEL_KIND)
    train_precision: str = setting("auto", "TRAIN_PRECISION", TRAIN_PRECISION)
    training_threads: int | None = setting(None, "TRAINING_THREADS", POSITIVE_INT)
    """The training process's intra-op threads; None: one per core it may run on."""
    training_pause_busy_share: float = setting(0.25, "TRAINING_PAUSE_BUSY_SHARE", PROBABILITY)
    """The training process is stopped while the other processes use at least this share of the host's CPU (a
    pause lasts at most 30 s, then it trains at least 2 s); 0: never stopped."""
    service_api_keys: tuple[str, ...] = setting((), "SERVICE_API_KEYS", API_KEYS, secret=True)
    admin_api_keys: tuple[str, ...] = setting((), "ADMIN_API_KEYS", API_KEYS, secret=True)
    session_secret: str | None = setting(None, "SESSION_SECRET", SESSION_SECRET, secret=True)
    session_secret_file: Path = setting(Path(DEFAULT_SESSION_SECRET_FILE), "SESSION_SECRET_FILE", PATH)
    cookie_secure: bool = setting(False, "COOKIE_SECURE", BOOL)
    session_max_age_s: int = setting(8 * 3600, "SESSION_MAX_AGE", POSITIVE_SECONDS)
    login_max_failures: int = setting(5, "LOGIN_MAX_FAILURES", POSITIVE_INT)
    login_lockout_s: int = setting(30, "LOGIN_LOCKOUT_SECONDS", POSITIVE_SECONDS)
    max_upload_bytes: int = setting(20 * 1024 * 1024, "MAX_UPLOAD_BYTES", POSITIVE_INT)
    import_max_rows: int = setting(100_000, "IMPORT_MAX_ROWS", POSITIVE_INT)
    import_max_unpacked_bytes: int = setting(200 * 1024 * 1024, "IMPORT_MAX_UNPACKED_BYTES", POSITIVE_INT)
    similar_tickets_k: int = setting(3, "SIMILAR_TICKETS_K", NON_NEGATIVE_INT)
    similar_tickets_min_similarity: float = setting(0.5, "SIMILAR_TICKETS_MIN_SIMILARITY", UNIT_INTERVAL)
    duplicate_similarity: float = setting(0.97, "DUPLICATE_SIMILARITY", UNIT_INTERVAL)
    duplicate_similarity_base: float = setting(0.84, "DUPLICATE_SIMILARITY_BASE", UNIT_INTERVAL)
    duplicate_window_hours: float = setting(24.0, "DUPLICATE_WINDOW_HOURS", POSITIVE_FLOAT)
    similar_tickets_refresh_s: float = setting(2.0, "SIMILAR_TICKETS_REFRESH_SECONDS", POSITIVE_FLOAT)
    """How often a process reads the vectors other processes stored since (its own are added at once)."""
    reembed_batch_size: int = setting(32, "REEMBED_BATCH_SIZE", POSITIVE_INT)
    similar_tickets_pass_ms: int = setting(20, "SIMILAR_TICKETS_PASS_MS", NON_NEGATIVE_INT)
    """Least time between two passes of the similar-ticket search over a company's vectors (numpy_index.py)."""

    @property
    def embedded(self) -> bool:
        """No database server and no broker configured: one process runs everything."""
        return is_embedded(self.database_url, self.broker_url)

    def describe(self) -> dict[str, object]:
        """What start-up logs: the main settings, with passwords in URLs masked."""
        return {
            "database_url": mask_url(self.database_url),
            "broker_url": mask_url(self.broker_url) if self.broker_url else None,
            "host": self.host,
            "port": self.port,
            "analyze_training_threshold": self.analyze_training_threshold,
            "retrain_min_new_labels": self.retrain_min_new_labels,
            "model_store": self.model_store_url or str(self.model_store_dir),
            "embedded": self.embedded,
            # Counts only: a key or a secret never reaches a log.
            "api_keys": f"{len(self.service_api_keys)} service, {len(self.admin_api_keys)} admin"
            if self.service_api_keys or self.admin_api_keys
            else "none (the /api endpoints are open)",
            "session_secret": "from SESSION_SECRET" if self.session_secret else f"from {self.session_secret_file}",
        }


def mask_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env") -> Settings:
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    reader = _Reader(values)
    database = _read(DatabaseVariables, reader, {})
    settings = _read(Settings, reader, {"database_url": database.database_url()})
    if settings.priority_high_below > settings.priority_medium_below:
        raise ConfigError("PRIORITY_HIGH_BELOW must not be greater than PRIORITY_MEDIUM_BELOW")
    return settings


def environment_variables() -> tuple[str, ...]:
    """Every variable name the service reads, in declaration order (the README documents each one)."""
    tables: tuple[type[DataclassInstance], ...] = (DatabaseVariables, Settings)
    return tuple(name for table in tables for _, variable in _variables(table) for name in variable.names)


def _variables(table: type[DataclassInstance]) -> list[tuple[str, Variable]]:
    return [(f.name, f.metadata[_ENV]) for f in fields(table) if _ENV in f.metadata]


def _read(table: type[S], reader: _Reader, known: Mapping[str, object]) -> S:
    """Builds `table` from the variables it declares; unset ones keep the field's default or are derived."""
    values = dict(known)
    derived: list[tuple[str, Callable[[Mapping[str, object]], object]]] = []
    for field_name, variable in _variables(table):
        found = reader.first(variable.names)
        if found is not None:
            values[field_name] = _parse(variable, *found)
        elif variable.derive is not None:
            derived.append((field_name, variable.derive))
    for field_name, derive in derived:
        values[field_name] = derive(values)
    return table(**values)


def _parse(variable: Variable, name: str, raw: str) -> object:
    try:
        return variable.parser(raw)
    except (ValueError, TypeError):
        shown = "***" if variable.secret else repr(raw)
        raise ConfigError(f"{name} must be {variable.parser.rule}, got {shown}") from None


class _Reader:
    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def first(self, names: tuple[str, ...]) -> tuple[str, str] | None:
        """The first of `names` that is set to something other than blanks, with its stripped value."""
        for name in names:
            value = self._values.get(name)
            if value is not None and value.strip() != "":
                return name, value.strip()
        return None

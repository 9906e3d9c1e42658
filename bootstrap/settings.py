"""Configuration from the environment and a `.env` file, with the seed service's variable names.

Every value is validated at start-up; a bad one stops the process with a message naming the variable.
The process environment wins over `.env`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote_plus, urlsplit

from dotenv import dotenv_values

T = TypeVar("T")
DEFAULT_SQLITE_PATH = "data/ticket_utils.sqlite3"
DEFAULT_SESSION_SECRET_FILE = "data/session_secret"
MIN_API_KEY_LENGTH = 16
MIN_SESSION_SECRET_LENGTH = 32
_SECRET_MARKERS = ("PASSWORD", "SECRET", "KEY")


class ConfigError(ValueError):
    """A configuration variable has a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    broker_url: str | None
    host: str = "127.0.0.1"
    port: int = 8002
    log_level: str = "INFO"
    analyze_training_threshold: int = 100
    training_timeout_s: int = 6 * 3600
    training_export_path: Path = Path("exports/tickets_training.xlsx")
    training_export_sheet_name: str = "Sheet1"
    training_data_dir: Path = Path("training_data")
    model_store_dir: Path = Path("models")
    model_poll_interval_s: float = 2.0
    labels_file: Path | None = None
    bert_conf_min: float = 0.5
    sim_min: float = 0.1
    priority_high_below: float = -0.3
    priority_medium_below: float = 0.3
    max_description_length: int = 10_000
    max_body_bytes: int = 1_048_576
    spacy_pipeline: str = "blank:en"
    torch_threads: int | None = None
    seed_demo_data: bool = True
    train_epochs: float = 3.0
    train_warm_start_epochs: float = 1.0
    train_batch_size: int = 32
    train_max_length: int = 128
    train_learning_rate: float = 1e-4
    train_time_budget_s: int = 3600
    train_base_model_dir: Path | None = None
    train_model_kind: str = "hybrid"
    service_api_keys: tuple[str, ...] = field(default=(), repr=False)
    admin_api_keys: tuple[str, ...] = field(default=(), repr=False)
    session_secret: str | None = field(default=None, repr=False)
    session_secret_file: Path = Path(DEFAULT_SESSION_SECRET_FILE)
    cookie_secure: bool = False
    session_max_age_s: int = 8 * 3600
    login_max_failures: int = 5
    login_lockout_s: int = 30
    max_upload_bytes: int = 20 * 1024 * 1024

    @property
    def embedded(self) -> bool:
        """No database server and no broker configured: one process runs everything."""
        return self.database_url.startswith("sqlite") and self.broker_url is None

    def describe(self) -> dict[str, object]:
        """What start-up logs: every setting, with passwords in URLs masked."""
        return {
            "database_url": mask_url(self.database_url),
            "broker_url": mask_url(self.broker_url) if self.broker_url else None,
            "host": self.host,
            "port": self.port,
            "analyze_training_threshold": self.analyze_training_threshold,
            "model_store_dir": str(self.model_store_dir),
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
    return _parse(_Reader(values))


class _Reader:
    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def raw(self, name: str) -> str | None:
        value = self._values.get(name)
        return value.strip() if value is not None and value.strip() != "" else None

    def get(self, name: str, parse: Callable[[str], T], default: T, rule: str) -> T:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            return parse(raw)
        except (ValueError, TypeError):
            shown = "***" if any(marker in name for marker in _SECRET_MARKERS) else repr(raw)
            raise ConfigError(f"{name} must be {rule}, got {shown}") from None


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError
    return value


def _port(raw: str) -> int:
    value = int(raw)
    if not 0 < value < 65536:
        raise ValueError
    return value


def _unit_float(raw: str) -> float:
    value = float(raw)
    if not -1.0 <= value <= 1.0:
        raise ValueError
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if value <= 0:
        raise ValueError
    return value


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError


def _redis_url(raw: str) -> str:
    if urlsplit(raw).scheme not in {"redis", "rediss"}:
        raise ValueError
    return raw


def _database_url(reader: _Reader) -> str:
    explicit = reader.raw("DATABASE_URL")
    if explicit is not None:
        if not explicit.startswith(("mysql+aiomysql://", "sqlite+aiosqlite://")):
            raise ConfigError("DATABASE_URL must start with mysql+aiomysql:// or sqlite+aiosqlite://")
        return explicit
    host = reader.raw("DB_HOST")
    if host is None:
        path = reader.raw("SQLITE_PATH") or DEFAULT_SQLITE_PATH
        return f"sqlite+aiosqlite:///{path}"
    name = reader.raw("DB_NAME")
    user = reader.raw("DB_USER")
    if name is None:
        raise ConfigError("DB_NAME must be set when DB_HOST is set")
    if user is None:
        raise ConfigError("DB_USER must be set when DB_HOST is set")
    port = reader.get("DB_PORT", _port, 3306, "a TCP port number (1-65535)")
    password = reader.raw("DB_PASSWORD") or ""
    credentials = quote_plus(user) + (f":{quote_plus(password)}" if password else "")
    return f"mysql+aiomysql://{credentials}@{host}:{port}/{name}?charset=utf8mb4"


def _parse(reader: _Reader) -> Settings:
    database_url = _database_url(reader)
    broker_url = reader.get("BROKER_URL", _redis_url, None, "a redis:// or rediss:// URL")
    if broker_url is None:
        broker_url = reader.get("CELERY_BROKER_URL", _redis_url, None, "a redis:// or rediss:// URL")
    high = reader.get("PRIORITY_HIGH_BELOW", _unit_float, -0.3, "a number between -1 and 1")
    medium = reader.get("PRIORITY_MEDIUM_BELOW", _unit_float, 0.3, "a number between -1 and 1")
    if high > medium:
        raise ConfigError("PRIORITY_HIGH_BELOW must not be greater than PRIORITY_MEDIUM_BELOW")
    labels_file = reader.raw("LABELS_FILE")
    if labels_file is not None and not Path(labels_file).is_file():
        raise ConfigError(f"LABELS_FILE must name an existing JSON file, got {labels_file!r}")
    embedded = database_url.startswith("sqlite") and broker_url is None
    return Settings(
        database_url=database_url,
        broker_url=broker_url,
        host=reader.raw("HOST") or "127.0.0.1",
        port=reader.get("PORT", _port, 8002, "a TCP port number (1-65535)"),
        log_level=reader.get("LOG_LEVEL", _log_level, "INFO", "one of DEBUG, INFO, WARNING, ERROR"),
        analyze_training_threshold=reader.get("ANALYZE_TRAINING_THRESHOLD", _positive_int, 100, "a positive integer"),
        training_timeout_s=reader.get("TRAINING_TIMEOUT", _positive_int, 6 * 3600, "a positive number of seconds"),
        training_export_path=Path(reader.raw("TRAINING_EXPORT_PATH") or "exports/tickets_training.xlsx"),
        training_export_sheet_name=reader.get(
            "TRAINING_EXPORT_SHEET_NAME", _sheet_name, "Sheet1", "an Excel sheet name (1-31 characters, none of []:*?/\\)"
        ),
        training_data_dir=Path(reader.raw("TRAINING_DATA_DIR") or "training_data"),
        model_store_dir=Path(reader.raw("MODEL_STORE_DIR") or "models"),
        model_poll_interval_s=reader.get("MODEL_POLL_SECONDS", _positive_float, 2.0, "a positive number of seconds"),
        labels_file=Path(labels_file) if labels_file else None,
        bert_conf_min=reader.get("BERT_CONF_MIN", _probability, 0.5, "a number between 0 and 1"),
        sim_min=reader.get("SIM_MIN", _unit_float, 0.1, "a number between -1 and 1"),
        priority_high_below=high,
        priority_medium_below=medium,
        max_description_length=reader.get("MAX_DESCRIPTION_LENGTH", _positive_int, 10_000, "a positive integer"),
        max_body_bytes=reader.get("MAX_BODY_BYTES", _positive_int, 1_048_576, "a positive integer"),
        spacy_pipeline=reader.raw("SPACY_PIPELINE") or "blank:en",
        torch_threads=reader.get("TORCH_THREADS", _positive_int, None, "a positive integer"),
        seed_demo_data=reader.get("SEED_DEMO_DATA", _bool, embedded, "true or false"),
        train_epochs=reader.get("TRAIN_EPOCHS", _positive_float, 3.0, "a positive number"),
        train_warm_start_epochs=reader.get("TRAIN_WARM_START_EPOCHS", _positive_float, 1.0, "a positive number"),
        train_batch_size=reader.get("TRAIN_BATCH_SIZE", _positive_int, 32, "a positive integer"),
        train_max_length=reader.get("TRAIN_MAX_LENGTH", _positive_int, 128, "a positive integer"),
        train_learning_rate=reader.get("TRAIN_LEARNING_RATE", _positive_float, 1e-4, "a positive number"),
        train_time_budget_s=reader.get("TRAIN_TIME_BUDGET", _positive_int, 3600, "a positive number of seconds"),
        train_base_model_dir=_existing_dir(reader, "TRAIN_BASE_MODEL_DIR"),
        train_model_kind=reader.get("TRAIN_MODEL_KIND", _model_kind, "hybrid", "hybrid or bert"),
        service_api_keys=reader.get("SERVICE_API_KEYS", _api_keys, (), _API_KEYS_RULE),
        admin_api_keys=reader.get("ADMIN_API_KEYS", _api_keys, (), _API_KEYS_RULE),
        session_secret=reader.get(
            "SESSION_SECRET", _session_secret, None, f"at least {MIN_SESSION_SECRET_LENGTH} characters long"
        ),
        session_secret_file=Path(reader.raw("SESSION_SECRET_FILE") or DEFAULT_SESSION_SECRET_FILE),
        cookie_secure=reader.get("COOKIE_SECURE", _bool, False, "true or false"),
        session_max_age_s=reader.get("SESSION_MAX_AGE", _positive_int, 8 * 3600, "a positive number of seconds"),
        login_max_failures=reader.get("LOGIN_MAX_FAILURES", _positive_int, 5, "a positive integer"),
        login_lockout_s=reader.get("LOGIN_LOCKOUT_SECONDS", _positive_int, 30, "a positive number of seconds"),
        max_upload_bytes=reader.get("MAX_UPLOAD_BYTES", _positive_int, 20 * 1024 * 1024, "a positive integer"),
    )


_API_KEYS_RULE = f"a comma-separated list of keys, each at least {MIN_API_KEY_LENGTH} characters without spaces"


def _api_keys(raw: str) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in raw.split(",") if key.strip())
    if not keys or any(len(key) < MIN_API_KEY_LENGTH or any(char.isspace() for char in key) for key in keys):
        raise ValueError
    return keys


def _session_secret(raw: str) -> str:
    if len(raw) < MIN_SESSION_SECRET_LENGTH:
        raise ValueError
    return raw


def _existing_dir(reader: _Reader, name: str) -> Path | None:
    raw = reader.raw(name)
    if raw is None:
        return None
    if not Path(raw).is_dir():
        raise ConfigError(f"{name} must name an existing folder, got {raw!r}")
    return Path(raw)


def _model_kind(raw: str) -> str:
    # The transformer always stays part of the model: "linear" alone is an experiment, not a product.
    if raw not in {"hybrid", "bert"}:
        raise ValueError
    return raw


def _probability(raw: str) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise ValueError
    return value


def _log_level(raw: str) -> str:
    upper = raw.upper()
    if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError
    return upper


def _sheet_name(raw: str) -> str:
    if not 0 < len(raw) <= 31 or any(char in raw for char in "[]:*?/\\"):
        raise ValueError
    return raw

"""The production defaults, read from `Settings` (bootstrap/settings.py declares each default once).

Adapters, services and policies take every setting as a required argument, so no constructor keeps a second default
that could disagree with production. A test that wants production behaviour builds them here, from the values a
service started without any environment would use, instead of repeating the figures.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from application.use_cases.analyze_ticket import AnalysisSettings
from bootstrap import policies
from bootstrap.settings import Settings, load_settings
from domain.login_throttle import LoginThrottlePolicy
from domain.priority import PriorityThresholds
from domain.routing import RoutingPolicy
from domain.similar_tickets import SimilarTicketsPolicy

if TYPE_CHECKING:
    from adapters.inbound.http.security.config import HttpSecurity
    from adapters.outbound.datasets.import_limits import ImportLimits
    from adapters.outbound.ml.training.config import FineTuneConfig

DEFAULTS: Settings = load_settings(environ={}, env_file=None)


def priority_thresholds() -> PriorityThresholds:
    return PriorityThresholds(DEFAULTS.priority_high_below, DEFAULTS.priority_medium_below)


def routing_policy() -> RoutingPolicy:
    return policies.routing_policy(DEFAULTS)


def analysis_settings(**overrides: Any) -> AnalysisSettings:
    values: dict[str, Any] = {
        "thresholds": priority_thresholds(),
        "max_description_length": DEFAULTS.max_description_length,
        "max_batch_size": DEFAULTS.analyze_batch_max,
    }
    return AnalysisSettings(**(values | overrides))


def fine_tune_config(**overrides: Any) -> FineTuneConfig:
    """The trainer's production configuration (bootstrap's mapping of the TRAIN_* settings), with `overrides`."""
    from bootstrap.container import fine_tune_config as production_config

    config: FineTuneConfig = production_config(DEFAULTS)
    return replace(config, **overrides)


def serving_options(**overrides: Any) -> dict[str, Any]:
    """ServedCategoryModel's settings as production passes them (INFERENCE_RUNTIME, TORCH_THREADS), with
    `overrides`: `ServedCategoryModel(fallback, store=store, **serving_options())`."""
    return {"runtime": DEFAULTS.inference_runtime, "threads": DEFAULTS.torch_threads} | overrides


def trainer_options(**overrides: Any) -> dict[str, Any]:
    """HybridModelTrainer's settings as production passes them (TRAIN_BASE_MODEL_DIR, TRAIN_MODEL_KIND,
    TRAIN_WARM_START_EPOCHS, INFERENCE_RUNTIME, TRAIN_UPDATE_LEARNING_RATE), with `overrides`:
    `HybridModelTrainer(store, config, **trainer_options())`."""
    values = {
        "base_model_dir": DEFAULTS.train_base_model_dir,
        "kind": DEFAULTS.train_model_kind,
        "warm_start_epochs": DEFAULTS.train_warm_start_epochs,
        "serving_runtime": DEFAULTS.inference_runtime,
        "update_learning_rate": DEFAULTS.train_update_learning_rate,
    }
    return values | overrides


def login_policy(**overrides: Any) -> LoginThrottlePolicy:
    """The admin login throttle as the container builds it from LOGIN_MAX_FAILURES and LOGIN_LOCKOUT_SECONDS, with
    `overrides`."""
    from bootstrap.container import Container

    policy: LoginThrottlePolicy = Container(settings=DEFAULTS).login_policy()
    return replace(policy, **overrides)


def import_limits(**overrides: Any) -> ImportLimits:
    """IMPORT_MAX_ROWS and IMPORT_MAX_UNPACKED_BYTES, with `overrides`."""
    from adapters.outbound.datasets.import_limits import ImportLimits

    values = {"max_rows": DEFAULTS.import_max_rows, "max_unpacked_bytes": DEFAULTS.import_max_unpacked_bytes}
    return ImportLimits(**(values | overrides))


def http_security(**overrides: Any) -> HttpSecurity:
    """Access control as the settings give it (SERVICE_API_KEYS, ADMIN_API_KEYS: none, so the API is open;
    COOKIE_SECURE, SESSION_MAX_AGE; a random secret), with `overrides`."""
    from adapters.inbound.http.security.config import HttpSecurity
    from domain.access import ApiKeyRing

    values: dict[str, Any] = {
        "api_keys": ApiKeyRing(DEFAULTS.service_api_keys, DEFAULTS.admin_api_keys),
        "cookie_secure": DEFAULTS.cookie_secure,
        "session_max_age_s": DEFAULTS.session_max_age_s,
    }
    return HttpSecurity(**(values | overrides))


def app_options(**overrides: Any) -> dict[str, Any]:
    """`create_app`'s settings as production passes them (MAX_BODY_BYTES, MAX_UPLOAD_BYTES, `http_security()`), with
    `overrides`: `create_app(use_cases=..., **app_options())`."""
    values: dict[str, Any] = {
        "max_body_bytes": DEFAULTS.max_body_bytes,
        "max_upload_bytes": DEFAULTS.max_upload_bytes,
        "security": http_security(),
    }
    return values | overrides


def similar_tickets_policy() -> SimilarTicketsPolicy:
    return policies.similar_tickets_policy(DEFAULTS)

"""The production defaults, read from `Settings` (bootstrap/settings.py declares each default once).

Adapters, services and policies take every setting as a required argument, so no constructor keeps a second default
that could disagree with production. A test that wants production behaviour builds them here, from the values a
service started without any environment would use, instead of repeating the figures.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from application.use_cases.analyze_ticket import AnalysisSettings
from bootstrap.settings import Settings, load_settings
from domain.priority import PriorityThresholds
from domain.routing import RoutingPolicy

if TYPE_CHECKING:
    from adapters.outbound.ml.training.config import FineTuneConfig

DEFAULTS: Settings = load_settings(environ={}, env_file=None)


def priority_thresholds() -> PriorityThresholds:
    return PriorityThresholds(DEFAULTS.priority_high_below, DEFAULTS.priority_medium_below)


def routing_policy() -> RoutingPolicy:
    return RoutingPolicy(DEFAULTS.bert_conf_min, DEFAULTS.sim_min)


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
    TRAIN_WARM_START_EPOCHS, INFERENCE_RUNTIME), with `overrides`: `HybridModelTrainer(store, config,
    **trainer_options())`."""
    values = {
        "base_model_dir": DEFAULTS.train_base_model_dir,
        "kind": DEFAULTS.train_model_kind,
        "warm_start_epochs": DEFAULTS.train_warm_start_epochs,
        "serving_runtime": DEFAULTS.inference_runtime,
    }
    return values | overrides

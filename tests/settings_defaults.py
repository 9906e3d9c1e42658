"""The production defaults, read from `Settings` (bootstrap/settings.py declares each default once).

Adapters, services and policies take every setting as a required argument, so no constructor keeps a second default
that could disagree with production. A test that wants production behaviour builds them here, from the values a
service started without any environment would use, instead of repeating the figures.
"""

from __future__ import annotations

from typing import Any

from application.use_cases.analyze_ticket import AnalysisSettings
from bootstrap.settings import Settings, load_settings
from domain.priority import PriorityThresholds
from domain.routing import RoutingPolicy

DEFAULTS: Settings = load_settings(environ={}, env_file=None)


def priority_thresholds() -> PriorityThresholds:
    return PriorityThresholds(DEFAULTS.priority_high_below, DEFAULTS.priority_medium_below)


def routing_policy() -> RoutingPolicy:
    return RoutingPolicy(DEFAULTS.bert_conf_min, DEFAULTS.sim_min, DEFAULTS.team_evidence_prior)


def analysis_settings(**overrides: Any) -> AnalysisSettings:
    values: dict[str, Any] = {
        "thresholds": priority_thresholds(),
        "max_description_length": DEFAULTS.max_description_length,
        "max_batch_size": DEFAULTS.analyze_batch_max,
    }
    return AnalysisSettings(**(values | overrides))

"""The trigger and retraining policies tests run with, spelled out (production takes them from `Settings`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from application.use_cases.export_tickets_and_retrain import RetrainingSettings
from domain.training import TriggerPolicy
from domain.training_plan import RetrainingPolicy
from tests.settings_defaults import DEFAULTS

TIMEOUT = timedelta(hours=6)


def trigger_policy(threshold: int = 100, min_new_labels: int = 0) -> TriggerPolicy:
    """The seed's trigger alone by default: `threshold` analyses, once something new is to be learned."""
    return TriggerPolicy(threshold, min_new_labels, TIMEOUT)


def retraining_settings(
    full_growth: float = 0.2,
    full_every: timedelta | None = None,
    replay: int = 100,
    new_weight: int = DEFAULTS.retrain_update_new_weight,
    **overrides: Any,
) -> RetrainingSettings:
    return RetrainingSettings(
        policy=RetrainingPolicy(full_growth=full_growth, full_every=full_every, replay=replay, new_weight=new_weight),
        update_epochs=1.0,
        **({"heartbeat_grace_s": DEFAULTS.training_heartbeat_grace_s} | overrides),
    )

"""The policies of bursts and emerging topics, from the settings (kept out of container.py to keep it short)."""

from __future__ import annotations

from datetime import timedelta

from bootstrap.settings import Settings
from domain.ticket_groups import BurstPolicy


def burst_policy(settings: Settings) -> BurstPolicy:
    return BurstPolicy(
        min_size=settings.burst_min,
        similarity=settings.burst_similarity,
        window=timedelta(minutes=settings.burst_window_minutes),
    )

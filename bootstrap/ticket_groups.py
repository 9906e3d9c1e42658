"""The policies of bursts and emerging topics, from the settings (kept out of container.py to keep it short)."""

from __future__ import annotations

from datetime import timedelta

from bootstrap.settings import Settings
from domain.emerging_topics import TopicPolicy
from domain.ticket_groups import BurstPolicy


def burst_policy(settings: Settings) -> BurstPolicy:
    return BurstPolicy(
        min_size=settings.burst_min,
        similarity=settings.burst_similarity,
        window=timedelta(minutes=settings.burst_window_minutes),
    )


def topic_policy(settings: Settings) -> TopicPolicy:
    return TopicPolicy(
        window=timedelta(days=settings.topic_window_days),
        max_tickets=settings.topic_max_tickets,
        min_cluster_size=settings.topic_min_cluster_size,
    )

"""Domain policies built from the settings, shared by the container and the tests' defaults (one definition)."""

from __future__ import annotations

from datetime import timedelta

from bootstrap.settings import Settings
from domain.routing import RoutingPolicy
from domain.similar_tickets import SimilarTicketsPolicy


def similar_tickets_policy(settings: Settings) -> SimilarTicketsPolicy:
    return SimilarTicketsPolicy(
        k=settings.similar_tickets_k,
        min_similarity=settings.similar_tickets_min_similarity,
        duplicate_similarity=settings.duplicate_similarity,
        base_duplicate_similarity=settings.duplicate_similarity_base,
        duplicate_window=timedelta(hours=settings.duplicate_window_hours),
    )


def routing_policy(settings: Settings) -> RoutingPolicy:
    return RoutingPolicy(
        settings.bert_conf_min, settings.sim_min, settings.team_evidence_prior, settings.team_label_share_min
    )

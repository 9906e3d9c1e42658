"""Emerging topics: what a company's recent tickets that the model could not place have in common, and naming one.

A company's candidates are its analyses of the last `TopicPolicy.window` (the newest `max_tickets`) that wait for
review, or that a person labelled with a category the served model does not know (the active version's labels;
the zero-shot classifier's while none is active). They are read in one version's space (the one holding most of
them, `domain.ticket_groups.in_one_space`), clustered by density off the event loop (`TopicClusterer`), and each
cluster is named by its top TF-IDF terms against the company's recent tickets. Naming a topic labels its tickets
through feedback, so they count as a person's labels and feed training like any correction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from application.ports.clock import Clock
from application.ports.company_repository import CompanyRepository
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.ticket_group_queries import TicketGroupQueries
from application.ports.topic_clusterer import TopicClusterer
from application.ports.unit_of_work import Transaction
from application.use_cases.labelled_tickets import Feedback, FeedbackResult, SubmitFeedback
from domain.access import Actor
from domain.companies import Company
from domain.emerging_topics import EmergingTopic, TopicPolicy, topics_from_clusters
from domain.errors import CompanyNotFound, InvalidInput
from domain.ticket_groups import GroupedTicket, in_one_space


class EmergingTopicsUnitOfWork(Transaction, Protocol):
    companies: CompanyRepository
    model_versions: ModelVersionRepository
    ticket_groups: TicketGroupQueries


@dataclass(frozen=True, slots=True)
class TopicReport:
    """The company's topics found at `found_at`, biggest first, among `candidates` tickets created since `since`
    in the space of `model_version` (None when the company has no candidates)."""

    company: Company
    topics: tuple[EmergingTopic, ...]
    candidates: int
    model_version: str | None
    since: datetime
    found_at: datetime
    policy: TopicPolicy


class FindEmergingTopics:
    """One per process: it keeps each company's latest report and serves it until it is `refresh_seconds` old, so
    reloading the page does not cluster again (concurrent readers of one company wait for the same clustering).
    Nothing is clustered until a company's page is opened."""

    def __init__(
        self,
        uow_factory: Callable[[], EmergingTopicsUnitOfWork],
        clusterer: TopicClusterer,
        clock: Clock,
        policy: TopicPolicy,
        refresh_seconds: float,
        fallback_labels: Sequence[str],
    ) -> None:
        """`fallback_labels`: the labels the zero-shot classifier answers with, known while no version is active."""
        self._uow_factory = uow_factory
        self._clusterer = clusterer
        self._clock = clock
        self.policy = policy
        self._refresh = timedelta(seconds=refresh_seconds)
        self._fallback_labels = tuple(fallback_labels)
        self._reports: dict[int, TopicReport] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def execute(self, company_id: int) -> TopicReport:
        """Raises CompanyNotFound for a company that does not exist."""
        async with self._locks.setdefault(company_id, asyncio.Lock()):
            report = self._reports.get(company_id)
            if report is None or self._clock.now() - report.found_at >= self._refresh:
                report = self._reports[company_id] = await self._find(company_id)
        return report

    def forget(self, company_id: int) -> None:
        """The company's tickets changed: its next read clusters again."""
        self._reports.pop(company_id, None)

    async def _find(self, company_id: int) -> TopicReport:
        now = self._clock.now()
        since = now - self.policy.window
        limit = self.policy.max_tickets
        async with self._uow_factory() as uow:
            company = await uow.companies.get(company_id)
            if company is None:
                self._reports.pop(company_id, None)
                raise CompanyNotFound(company_id)
            active = await uow.model_versions.active()
            known = active.labels if active is not None else self._fallback_labels
            found: list[GroupedTicket] = []
            for version in await uow.ticket_groups.versions(company_id):
                found.extend(await uow.ticket_groups.topic_candidates(company_id, version, since, known, limit))
            candidates = in_one_space(found).get(company_id, [])
            space = candidates[0].model_version if candidates else None
            recent = await uow.ticket_groups.recent(company_id, space, since, limit) if space else []
        topics = await asyncio.to_thread(self._topics, candidates, recent)
        return TopicReport(company, tuple(topics), len(candidates), space, since, now, self.policy)

    def _topics(self, candidates: Sequence[GroupedTicket], recent: Sequence[GroupedTicket]) -> list[EmergingTopic]:
        """Blocking: clusters the candidates and names each cluster (run off the event loop)."""
        if not candidates:
            return []
        clusters = self._clusterer.cluster([t.vector for t in candidates], self.policy.min_cluster_size)
        # Every ticket counts once in the background, whichever read found it.
        background = {(t.analysis_id, t.labelled_ticket_id): t.text for t in [*recent, *candidates]}
        return topics_from_clusters(candidates, clusters, background.values())


class CreateCategoryFromTopic:
    """An admin names an emerging topic: every analysis of it gets the category `category` as feedback
    (`SubmitFeedback.execute_many`: all or nothing, each a person's label that training learns and that counts
    towards the retraining trigger; a new label is allowed because the actor is an admin).

    The analyses come from the page's form, so they are checked again: each must exist and belong to
    `company_id` (else NotFound, and nothing is labelled); at most the policy's `max_tickets`, at least one. The
    company's topics are clustered again on its next read.
    """

    def __init__(self, submit_feedback: SubmitFeedback, topics: FindEmergingTopics) -> None:
        self._submit_feedback = submit_feedback
        self._topics = topics

    async def execute(
        self, company_id: int, analysis_ids: Sequence[int], category: str, actor: Actor
    ) -> list[FeedbackResult]:
        unique = list(dict.fromkeys(analysis_ids))
        if not unique:
            raise InvalidInput("analysis_ids", "choose at least one ticket")
        if len(unique) > self._topics.policy.max_tickets:
            raise InvalidInput("analysis_ids", f"must be at most {self._topics.policy.max_tickets} tickets")
        if not category.strip():
            raise InvalidInput("category", "must be a non-empty string")
        results = await self._submit_feedback.execute_many(company_id, unique, Feedback(category), actor)
        self._topics.forget(company_id)
        return results

"""How the automatic decisions hold up in production, per predicted label, and labels the model lacks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from application.ports.decision_quality_queries import DecisionQualityQueries
from application.ports.labelled_ticket_repository import LabelledTicketRepository
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.unit_of_work import Transaction
from domain.decision_quality import LabelDecisionCounts


class DecisionQualityUnitOfWork(Transaction, Protocol):
    """Reads the decision counts, the active labelled tickets' categories and the active model version."""

    decision_quality: DecisionQualityQueries
    labelled_tickets: LabelledTicketRepository
    model_versions: ModelVersionRepository


@dataclass(frozen=True, slots=True)
class DecisionQuality:
    """`per_label`: per predicted label, analyses, automatic decisions, those later given feedback, of which
    corrected, with `live_precision` and `automatic_share` (see LabelDecisionCounts), sorted by label.
    `unknown_labels`: categories of active labelled tickets (imported, labelled or feedback) that the active
    model version does not know (case-insensitively), sorted: a taxonomy change that needs a retraining; empty
    when no version is active. `active_model_version`: its name, or None."""

    per_label: Sequence[LabelDecisionCounts]
    unknown_labels: tuple[str, ...]
    active_model_version: str | None


class GetDecisionQuality:
    """The decision-quality figures for the admin dashboard."""

    def __init__(self, uow_factory: Callable[[], DecisionQualityUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self) -> DecisionQuality:
        async with self._uow_factory() as uow:
            per_label = await uow.decision_quality.per_label()
            categories = await uow.labelled_tickets.active_categories()
            active = await uow.model_versions.active()
        if active is None:
            return DecisionQuality(per_label, (), None)
        known = {label.casefold() for label in active.labels}
        unknown = tuple(sorted(c for c in categories if c.casefold() not in known))
        return DecisionQuality(per_label, unknown, active.name)

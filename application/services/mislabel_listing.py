"""After a training run: judge every labelled ticket's label out-of-fold and store the likeliest mislabels.

A step beside the training, not part of it: whatever goes wrong here is logged and returned as the run's
mislabel error (`MislabelSummary.error`), never raised, so a trained and registered model is never lost to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from application.ports.mislabel_candidate_repository import MislabelCandidateRepository
from application.ports.mislabel_detector import MislabelDetector
from application.ports.unit_of_work import Transaction
from domain.labelled_tickets import LabelledTicket
from domain.mislabels import (
    DEFAULT_MAX_CANDIDATES,
    DEFAULT_MAX_GIVEN_PROBABILITY,
    candidates_per_label,
    select_candidates,
)
from domain.training_reports import MislabelSummary

logger = logging.getLogger(__name__)


class MislabelListingUnitOfWork(Transaction, Protocol):
    """Reading earlier confirmations and storing the run's candidates."""

    mislabel_candidates: MislabelCandidateRepository


class MislabelListing:
    def __init__(
        self,
        uow_factory: Callable[[], MislabelListingUnitOfWork],
        detector: MislabelDetector,
        max_candidates: int = DEFAULT_MAX_CANDIDATES,
        max_given_probability: float = DEFAULT_MAX_GIVEN_PROBABILITY,
    ) -> None:
        self._uow_factory = uow_factory
        self._detector = detector
        self._max_candidates = max_candidates
        self._max_given_probability = max_given_probability

    async def record(self, training_run_id: int, tickets: Sequence[LabelledTicket]) -> MislabelSummary:
        """Stores the run's candidates (a ticket whose label an admin confirmed before is not listed again) and
        returns what the run reports of them: the candidates per label, or why listing them failed."""
        try:
            judgements = await self._detector.find(tickets)
            async with self._uow_factory() as uow:
                confirmed = await uow.mislabel_candidates.confirmed_ticket_ids()
                fresh = [j for j in judgements if j.labelled_ticket_id not in confirmed]
                candidates = select_candidates(
                    fresh, training_run_id, self._max_candidates, self._max_given_probability
                )
                await uow.mislabel_candidates.add_many(candidates)
                await uow.commit()
        except Exception as failure:  # noqa: BLE001 - listing mislabels must never fail the training run
            logger.exception("listing likely mislabelled tickets for training run %s failed", training_run_id)
            return MislabelSummary(error=f"{type(failure).__name__}: {failure}")
        return MislabelSummary(candidates_per_label(candidates))

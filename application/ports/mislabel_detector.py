"""Port: judging every labelled ticket's label with a model that never trained on that ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.labelled_tickets import LabelledTicket
from domain.mislabels import LabelJudgement


class MislabelDetector(Protocol):
    """Scores labelled tickets out-of-fold.

    Contract: returns one `LabelJudgement` per ticket it could judge, in no particular order; each ticket is
    scored by a model fitted without it (K-fold cross-validation), so a wrong label cannot vouch for itself.
    Tickets of a label with too few tickets to sit in every fold are not judged (and that label is never
    proposed); with fewer than two judgeable labels the answer is empty. Tickets without an id are ignored.
    Runs off the event loop; raises on failure, writing nothing.
    """

    async def find(self, tickets: Sequence[LabelledTicket]) -> list[LabelJudgement]: ...

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.labelled_tickets import LabelledTicket


class DatasetExporter(Protocol):
    """Writes the training data where operators and the old tooling expect it.

    Contract: an XLSX with columns `Document`, `Topic_group` on the configured sheet, and a full CSV (every
    field) in the training-data folder; files appear whole (written aside, then renamed) or not at all.
    Returns the paths written.
    """

    async def export(self, tickets: Sequence[LabelledTicket]) -> list[str]: ...

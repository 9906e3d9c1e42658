"""Port: the labels people gave exact ticket texts, so a later analysis of the same text answers them."""

from __future__ import annotations

from typing import Protocol

from domain.human_labels import HumanLabel


class HumanLabelRepository(Protocol):
    """One label per (company, text hash): the latest a person gave.

    Contract: `get` returns the label stored for the pair or None; `put` inserts it, or replaces the category,
    labelled ticket and time of the one already stored for the pair. Writes wait for the unit of work's commit.
    """

    async def get(self, company_id: int, text_hash: str) -> HumanLabel | None: ...

    async def put(self, label: HumanLabel) -> None:
        """Inserts or replaces the label of (`label.company_id`, `label.text_hash`)."""
        ...

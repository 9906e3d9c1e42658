"""Port: the labels people gave exact ticket texts, so a later analysis of the same text answers them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from domain.human_labels import HumanLabel


class HumanLabelRepository(Protocol):
    """One label per (company, text hash): the latest a person gave.

    Contract: `get_many` returns, by text hash, the label stored for each of the company's `text_hashes` that has
    one (a hash without a label is absent; none asked, none returned), in one read however many are asked; `put`
    inserts a label, or replaces the category, labelled ticket and time of the one already stored for the pair.
    Writes wait for the unit of work's commit.
    """

    async def get_many(self, company_id: int, text_hashes: Collection[str]) -> dict[str, HumanLabel]: ...

    async def put(self, label: HumanLabel) -> None:
        """Inserts or replaces the label of (`label.company_id`, `label.text_hash`)."""
        ...

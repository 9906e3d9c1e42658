"""Port: the catalogue stamp, which says whether a cached copy of the companies and teams is still current."""

from __future__ import annotations

from typing import Protocol


class CatalogueStamp(Protocol):
    """A version of the companies and their teams as a whole.

    Contract: every write through the company or team repository (add, update, delete) moves it, in the same
    transaction, to a value greater than before; nothing else moves it. `current` is a cheap read that takes no
    lock a writer would wait on; a store that never had a write reads 0.
    """

    async def current(self) -> int: ...

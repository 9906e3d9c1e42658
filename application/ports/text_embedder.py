from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.predictions import Vector


class TextEmbedder(Protocol):
    """Turns texts into fixed-size vectors whose cosine similarity reflects meaning.

    Contract: returns one vector per text, in order, all of the same length (unit length is allowed but not
    required); never blocks the event loop.
    """

    async def embed(self, texts: Sequence[str]) -> list[Vector]: ...

    def is_ready(self) -> bool: ...

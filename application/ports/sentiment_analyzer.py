from __future__ import annotations

from typing import Protocol


class SentimentAnalyzer(Protocol):
    """Measures how negative or positive a ticket reads.

    Contract: returns a polarity in [-1, 1] (negative is angry, 0 neutral), never blocks the event loop.
    """

    async def polarity(self, text: str) -> float: ...

    def is_ready(self) -> bool: ...

from __future__ import annotations

from typing import Protocol

from domain.predictions import CategoryPrediction


class CategoryClassifier(Protocol):
    """Predicts a ticket's topic group.

    Contract: `classify` never blocks the event loop (heavy work runs elsewhere), returns a
    `CategoryPrediction` whose confidences are probabilities in [0, 1], and names the model version
    that answered. It raises only on infrastructure failure, never for unusual text.
    """

    async def classify(self, text: str) -> CategoryPrediction: ...

    def is_ready(self) -> bool:
        """True once the model is loaded and the next call will not wait for a load."""
        ...

    async def warm_up(self) -> None:
        """Does now the one-off work the first `classify` would otherwise wait for; harmless when done."""
        ...

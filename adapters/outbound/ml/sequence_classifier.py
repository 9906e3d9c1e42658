"""The fine-tuned BERT topic classifier (CategoryClassifier).

Why safetensors only: a checkpoint folder is written by the training job and read by the API; a pickled
`pytorch_model.bin` could run arbitrary code on load, so `use_safetensors=True` makes transformers refuse one.
The label names come from the checkpoint's `config.json` (`id2label`), so the checkpoint alone defines the
categories. Concurrent requests share batches through the micro-batcher, grouped by token length; the model loads
once per process, on `load()` or on first use, in the batcher's thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from adapters.outbound.ml.micro_batcher import MicroBatcher, group_by_length
from domain.predictions import CategoryPrediction


class BertSequenceClassifier:
    """Softmax probabilities over the checkpoint's labels; `version` is reported as the model version."""

    def __init__(
        self,
        model_dir: str,
        version: str,
        max_length: int = 128,
        max_batch_size: int = 32,
        max_wait_ms: float = 2.0,
    ) -> None:
        if not version:
            raise ValueError("a classifier needs a non-empty model version")
        self._model_dir = model_dir
        self._version = version
        self._max_length = max_length
        self._load_lock = threading.Lock()
        self._tokenizer: Any = None
        self._model: Any = None
        self._labels: list[str] = []
        self._batcher: MicroBatcher[CategoryPrediction] = MicroBatcher(
            self._classify_batch, max_batch_size=max_batch_size, max_wait_ms=max_wait_ms, name="bert-classifier"
        )

    @property
    def version(self) -> str:
        return self._version

    @property
    def model_dir(self) -> str:
        return self._model_dir

    @property
    def labels(self) -> list[str]:
        """The label names in output order (empty until loaded)."""
        return list(self._labels)

    def load(self) -> None:
        """Loads tokenizer and weights (blocking, idempotent, thread-safe); call it from a thread at start-up."""
        if self._model is not None:
            return
        with self._load_lock:
            if self._model is not None:
                return
            if not any(Path(self._model_dir).glob("*.safetensors")):
                raise FileNotFoundError(f"no safetensors weights in {self._model_dir}; pickled checkpoints are refused")
            from transformers import AutoModelForSequenceClassification, AutoTokenizer  # deferred: slow import

            tokenizer = AutoTokenizer.from_pretrained(self._model_dir, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                self._model_dir, local_files_only=True, use_safetensors=True
            )
            model.eval()
            id2label = {int(index): str(name) for index, name in model.config.id2label.items()}
            if sorted(id2label) != list(range(model.config.num_labels)):
                raise ValueError(f"{self._model_dir}: id2label does not cover labels 0..{model.config.num_labels - 1}")
            self._labels = [id2label[index] for index in range(model.config.num_labels)]
            self._tokenizer = tokenizer
            self._model = model

    def warm_up(self) -> None:
        self.predict(["warm up"])

    def is_ready(self) -> bool:
        return self._model is not None

    async def classify(self, text: str) -> CategoryPrediction:
        return await self._batcher.submit(text)

    def predict(self, texts: list[str]) -> list[CategoryPrediction]:
        """Blocking classification of a batch (for evaluation jobs and warm-up, never on the event loop)."""
        return self._classify_batch(texts)

    def close(self) -> None:
        self._batcher.close()

    def _classify_batch(self, texts: list[str]) -> list[CategoryPrediction]:
        self.load()
        import torch

        features = self._tokenizer(texts, truncation=True, max_length=self._max_length)
        predictions: list[CategoryPrediction | None] = [None] * len(texts)
        for group in group_by_length([len(ids) for ids in features["input_ids"]]):
            encoded = self._tokenizer.pad({key: [values[i] for i in group] for key, values in features.items()},
                                          return_tensors="pt")
            with torch.inference_mode():
                probabilities = torch.softmax(self._model(**encoded).logits.float(), dim=-1).tolist()
            for index, row in zip(group, probabilities, strict=True):
                scores = dict(zip(self._labels, row, strict=True))
                predictions[index] = CategoryPrediction.from_scores(scores, self._version)
        return [prediction for prediction in predictions if prediction is not None]

"""Tokenising and batched softmax inference for a fine-tuned sequence classifier (the transformer half of a version).

Training scores its validation split with the same function the served model uses, so the probabilities the blend
weight is chosen on are the ones served later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.outbound.ml.serving.batching import SERVING_MAX_PADDING_RATIO, length_buckets, pad_batch


def tokenize(tokenizer: Any, texts: Sequence[str], max_length: int) -> list[list[int]]:
    """Token ids per text, truncated but unpadded (padding happens per batch)."""
    if not texts:
        return []
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length, padding=False)
    return [list(ids) for ids in encoded["input_ids"]]


def predict_probabilities(
    model: Any, tokenizer: Any, texts: Sequence[str], max_length: int, batch_size: int, device: str
) -> Any:
    """Softmax probabilities (numpy float64, input order) with length-sorted batches under inference_mode."""
    import numpy as np
    import torch

    n_labels = int(model.config.num_labels)
    if not texts:
        return np.zeros((0, n_labels), dtype=np.float64)
    was_training = model.training
    model.eval()
    ids = tokenize(tokenizer, texts, max_length)
    result = np.zeros((len(ids), n_labels), dtype=np.float64)
    pad_id = int(tokenizer.pad_token_id or 0)
    with torch.inference_mode():
        for chunk in length_buckets([len(row) for row in ids], batch_size, SERVING_MAX_PADDING_RATIO):
            batch = {key: value.to(device) for key, value in pad_batch([ids[i] for i in chunk], pad_id).items()}
            logits = model(**batch).logits.float()
            result[chunk] = torch.softmax(logits, dim=-1).cpu().double().numpy()
    if was_training:
        model.train()
    return result / result.sum(axis=1, keepdims=True)

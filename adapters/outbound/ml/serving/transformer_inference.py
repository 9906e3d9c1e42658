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
    probabilities, _ = predict_with_embeddings(model, tokenizer, texts, max_length, batch_size, device, False)
    return probabilities


def predict_with_embeddings(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    max_length: int,
    batch_size: int,
    device: str,
    embeddings: bool = True,
) -> tuple[Any, Any | None]:
    """Softmax probabilities and, with `embeddings`, the encoder's unit-length mean-pooled last hidden states
    (numpy float32, one row per text), from the same forward pass; input order, length-sorted batches."""
    import numpy as np
    import torch

    n_labels = int(model.config.num_labels)
    width = int(model.config.hidden_size)
    if not texts:
        return np.zeros((0, n_labels), dtype=np.float64), np.zeros((0, width), np.float32) if embeddings else None
    was_training = model.training
    model.eval()
    ids = tokenize(tokenizer, texts, max_length)
    result = np.zeros((len(ids), n_labels), dtype=np.float64)
    vectors = np.zeros((len(ids), width), dtype=np.float32) if embeddings else None
    pad_id = int(tokenizer.pad_token_id or 0)
    with torch.inference_mode():
        for chunk in length_buckets([len(row) for row in ids], batch_size, SERVING_MAX_PADDING_RATIO):
            batch = {key: value.to(device) for key, value in pad_batch([ids[i] for i in chunk], pad_id).items()}
            output = model(**batch, output_hidden_states=embeddings)
            result[chunk] = torch.softmax(output.logits.float(), dim=-1).cpu().double().numpy()
            if vectors is not None:
                pooled = mean_pooled(output.hidden_states[-1].float(), batch["attention_mask"])
                vectors[chunk] = pooled.cpu().numpy()
    if was_training:
        model.train()
    return result / result.sum(axis=1, keepdims=True), vectors


def mean_pooled(states: Any, attention_mask: Any) -> Any:
    """Unit-length mean of the token states over the attention mask (torch tensors; sentence-transformers'
    pooling, which the served graphs' `embedding` output computes too)."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(states.dtype)
    pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)

"""Length bucketing and dynamic padding: the one place that decides how texts are grouped into padded tensors.

Why: a padded tensor costs as much as its longest row times its row count, and attention cost grows faster than
that length, so texts of similar length are grouped before they are padded. Serving (the embedder, the served
transformer) and training (its shuffled epochs) all cut and pad through these two helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SERVING_MAX_PADDING_RATIO = 1.3
"""Padded tokens allowed per real token in one inference group. The texts a micro-batch gathers arrive in random
lengths, and padded to the longest they cost several times the CPU per ticket that they cost alone or in groups
of similar length (measured in the README's Benchmarks section)."""


def length_buckets(lengths: Sequence[int], max_size: int, max_padding_ratio: float | None = None) -> list[list[int]]:
    """Indices of the items, shortest first (ties keep input order), cut into consecutive groups.

    A group holds at most `max_size` items. With `max_padding_ratio`, a group also closes before its padded size
    (count x longest) would exceed that ratio times its real token count, so a long item never pads many short
    ones; without it, groups are plain runs of `max_size` (the last one shorter). Lengths below 1 count as 1.
    """
    if max_size < 1:
        raise ValueError(f"max_size must be at least 1, got {max_size}")
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    groups: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for index in order:
        length = max(1, lengths[index])
        full = len(current) >= max_size
        wasteful = max_padding_ratio is not None and (len(current) + 1) * length > max_padding_ratio * (tokens + length)
        if current and (full or wasteful):
            groups.append(current)
            current, tokens = [], 0
        current.append(index)
        tokens += length
    if current:
        groups.append(current)
    return groups


def pad_batch(batch_ids: Sequence[Sequence[int]], pad_id: int) -> dict[str, Any]:
    """Torch `input_ids` padded on the right to the longest member, and the matching `attention_mask`."""
    import torch  # deferred: importing torch costs seconds

    width = max(len(ids) for ids in batch_ids)
    input_ids = torch.full((len(batch_ids), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(batch_ids), width), dtype=torch.long)
    for row, ids in enumerate(batch_ids):
        input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        attention[row, : len(ids)] = 1
    return {"input_ids": input_ids, "attention_mask": attention}

"""The tokenised training corpus in two flat numpy arrays instead of a Python list of lists.

Why: a list of token-id lists costs a Python int object and a pointer per token, and the tokenizer's own batch
encoding of the whole corpus (ids, masks, offsets and overflow per text) several times that again, all alive at once
and left behind in the allocator's arenas afterwards. Tokenising a bounded chunk at a time into one compact array
(uint16 where the vocabulary fits, else int32) keeps only the ids, at two or four bytes each; a batch is widened to
the int64 tensors the model takes only when it is padded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TOKENIZE_CHUNK = 1024
"""Texts tokenised per call: the tokenizer's intermediate objects of one chunk are all that exists at a time."""


@dataclass(frozen=True, slots=True)
class TokenCorpus:
    """Row `i` is `ids[offsets[i]:offsets[i + 1]]` (numpy arrays; `offsets` has one more entry than rows)."""

    ids: Any
    offsets: Any

    def __len__(self) -> int:
        return int(len(self.offsets)) - 1

    def lengths(self) -> list[int]:
        """Each row's token count, as plain ints."""
        import numpy as np

        return [int(n) for n in np.diff(self.offsets)]

    def row(self, index: int) -> Any:
        return self.ids[int(self.offsets[index]) : int(self.offsets[index + 1])]

    def padded(self, indices: Sequence[int], pad_id: int) -> dict[str, Any]:
        """Torch `input_ids` (int64) of the rows at `indices`, padded on the right to the longest, and the matching
        `attention_mask`: what `serving.batching.pad_batch` builds from lists."""
        import numpy as np
        import torch

        rows = [self.row(index) for index in indices]
        width = max(1, max(len(row) for row in rows))
        input_ids = np.full((len(rows), width), pad_id, dtype=np.int64)
        attention = np.zeros((len(rows), width), dtype=np.int64)
        for position, row in enumerate(rows):
            input_ids[position, : len(row)] = row
            attention[position, : len(row)] = 1
        return {"input_ids": torch.from_numpy(input_ids), "attention_mask": torch.from_numpy(attention)}


def id_dtype(vocabulary_size: int) -> Any:
    """The narrowest numpy integer type that holds every id of a vocabulary of this size."""
    import numpy as np

    return np.uint16 if vocabulary_size <= np.iinfo(np.uint16).max + 1 else np.int32


def tokenize_compact(
    tokenizer: Any, texts: Sequence[str], max_length: int, chunk_size: int = TOKENIZE_CHUNK
) -> TokenCorpus:
    """Token ids per text, truncated to `max_length` but unpadded, `chunk_size` texts per tokenizer call."""
    import numpy as np

    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    dtype = id_dtype(len(tokenizer))
    parts: list[Any] = []
    lengths: list[int] = []
    for start in range(0, len(texts), chunk_size):
        encoded = tokenizer(
            list(texts[start : start + chunk_size]),
            truncation=True,
            max_length=max_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )["input_ids"]
        lengths += [len(ids) for ids in encoded]
        if encoded:
            parts.append(np.concatenate([np.asarray(ids, dtype=dtype) for ids in encoded]))
        del encoded
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
    return TokenCorpus(ids, offsets)

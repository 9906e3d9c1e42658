"""The tokenised corpus: every text's ids, in order and truncated, in compact arrays whatever the chunking; and a
step's batch cut into micro-batches that cover it exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.outbound.ml.training.fine_tune import micro_batches
from adapters.outbound.ml.training.token_corpus import id_dtype, tokenize_compact


class WordTokenizer:
    """A stand-in with the fast tokenizer's call shape: [CLS]=1, one id per word (its length + 100), [SEP]=2."""

    def __init__(self, vocabulary_size: int = 30522) -> None:
        self.vocabulary_size = vocabulary_size
        self.calls: list[int] = []

    def __len__(self) -> int:
        return self.vocabulary_size

    def __call__(self, texts: list[str], truncation: bool, max_length: int, **options: Any) -> dict[str, Any]:
        assert truncation and options["padding"] is False
        self.calls.append(len(texts))
        rows = []
        for text in texts:
            ids = [1, *(100 + len(word) for word in text.split()), 2]
            rows.append(ids[: max_length - 1] + [2] if len(ids) > max_length else ids)
        return {"input_ids": rows}


def expected_rows(tokenizer: WordTokenizer, texts: Sequence[str], max_length: int) -> list[list[int]]:
    return list(tokenizer(list(texts), truncation=True, max_length=max_length, padding=False)["input_ids"])


TEXTS = ["printer jammed", "", "vpn token expired again after the update", "x " * 40, "disk full"]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 1024])
def test_every_text_keeps_its_ids_in_order_whatever_the_chunk_size(chunk_size: int) -> None:
    tokenizer = WordTokenizer()

    corpus = tokenize_compact(tokenizer, TEXTS, max_length=16, chunk_size=chunk_size)

    assert len(corpus) == len(TEXTS)
    assert [corpus.row(i).tolist() for i in range(len(corpus))] == expected_rows(WordTokenizer(), TEXTS, 16)
    assert corpus.lengths() == [len(row) for row in expected_rows(WordTokenizer(), TEXTS, 16)]
    assert max(corpus.lengths()) == 16  # truncated to max_length
    assert tokenizer.calls == [len(TEXTS[start : start + chunk_size]) for start in range(0, len(TEXTS), chunk_size)]


def test_ids_take_two_bytes_when_the_vocabulary_fits_and_four_when_it_does_not() -> None:
    import numpy as np

    assert tokenize_compact(WordTokenizer(30522), TEXTS, 16).ids.dtype == np.uint16
    assert id_dtype(65536) == np.uint16
    assert id_dtype(65537) == np.int32
    big = tokenize_compact(WordTokenizer(250_002), TEXTS, 16)
    assert big.ids.dtype == np.int32
    assert [big.row(i).tolist() for i in range(len(big))] == expected_rows(WordTokenizer(), TEXTS, 16)


def test_no_texts_is_an_empty_corpus() -> None:
    corpus = tokenize_compact(WordTokenizer(), [], 16)

    assert len(corpus) == 0 and corpus.lengths() == []


def test_a_chunk_size_below_one_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        tokenize_compact(WordTokenizer(), TEXTS, 16, chunk_size=0)


@given(st.lists(st.integers(), max_size=70), st.one_of(st.none(), st.integers(min_value=1, max_value=40)))
def test_micro_batches_cover_the_batch_once_in_order_and_within_the_size(batch: list[int], size: int | None) -> None:
    parts = micro_batches(batch, size)

    assert [item for part in parts for item in part] == batch
    if size is not None:
        assert all(len(part) <= size for part in parts)
    if size is None or size >= len(batch):
        assert len(parts) == 1

"""Length bucketing groups similar lengths, covers every item once, and pads each group to its longest member."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.outbound.ml.serving.batching import length_buckets


def test_padding_ratio_groups_keep_similar_lengths_together() -> None:
    lengths = [150, 10, 12, 11, 140, 13, 40]

    groups = length_buckets(lengths, max_size=64, max_padding_ratio=1.3)

    assert [[lengths[i] for i in group] for group in groups] == [[10, 11, 12, 13], [40], [140, 150]]


def test_without_a_ratio_groups_are_runs_of_the_size_limit_in_length_order() -> None:
    lengths = [5, 1, 4, 2, 3, 2]

    groups = length_buckets(lengths, max_size=4)

    assert groups == [[1, 3, 5, 4], [2, 0]]


@given(
    st.lists(st.integers(min_value=0, max_value=300), max_size=60),
    st.integers(min_value=1, max_value=8),
    st.one_of(st.none(), st.floats(min_value=1.0, max_value=3.0)),
)
def test_groups_cover_every_item_once_shortest_first_within_the_size_limit(
    lengths: list[int], max_size: int, ratio: float | None
) -> None:
    groups = length_buckets(lengths, max_size, ratio)

    flat = [i for group in groups for i in group]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    assert all(0 < len(group) <= max_size for group in groups)


def test_a_size_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        length_buckets([1, 2], max_size=0)


def test_padding_fills_to_the_longest_row_and_masks_the_padding() -> None:
    pytest.importorskip("torch")
    from adapters.outbound.ml.serving.batching import pad_batch

    batch = pad_batch([[5, 6, 7], [8]], pad_id=0)

    assert batch["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]

"""The domain rules of similar tickets: fp16 packing, what an answer shows, and when a ticket is a duplicate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.similar_tickets import SimilarTicket, StoredVector, merge_neighbours, pack_vector, unpack_vector
from tests.settings_defaults import similar_tickets_policy

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _ticket(similarity: float, hours_ago: float, analysis_id: int = 1) -> SimilarTicket:
    return SimilarTicket(similarity, NOW - timedelta(hours=hours_ago), analysis_id=analysis_id)


def test_vectors_pack_to_two_bytes_a_value_and_back_within_fp16_precision() -> None:
    values = (0.1, -0.25, 0.999, 0.0)
    packed = pack_vector(values)
    assert len(packed) == 8
    assert unpack_vector(packed) == pytest.approx(values, abs=1e-3)
    with pytest.raises(ValueError):
        unpack_vector(b"\x00\x01\x02")


def test_a_stored_vector_names_exactly_one_ticket() -> None:
    with pytest.raises(ValueError):
        StoredVector(1, "v", b"", NOW)
    with pytest.raises(ValueError):
        StoredVector(1, "v", b"", NOW, analysis_id=1, labelled_ticket_id=2)


def test_the_answer_shows_the_k_closest_above_the_minimum() -> None:
    policy = replace(similar_tickets_policy(), k=2, min_similarity=0.5)
    found = [_ticket(0.9, 1, 1), _ticket(0.8, 1, 2), _ticket(0.7, 1, 3), _ticket(0.4, 1, 4)]
    assert [t.analysis_id for t in policy.similar(found)] == [1, 2]
    assert policy.similar([_ticket(0.49, 1)]) == ()
    assert policy.search_k >= 10 and policy.search_min_similarity == 0.5


def test_the_duplicate_is_the_closest_recent_ticket_above_the_threshold() -> None:
    policy = replace(similar_tickets_policy(), duplicate_similarity=0.84, duplicate_window=timedelta(hours=24))
    old_identical, recent_close = _ticket(1.0, 48, 1), _ticket(0.9, 2, 2)
    assert policy.duplicate_of([old_identical, recent_close], NOW, base_space=False) == recent_close
    assert policy.duplicate_of([_ticket(0.83, 1)], NOW, base_space=False) is None
    assert policy.duplicate_of([_ticket(0.84, 24)], NOW, base_space=False) is not None
    assert policy.duplicate_of([_ticket(0.95, 24.01)], NOW, base_space=False) is None
    assert policy.duplicate_of([], NOW, base_space=False) is None


def test_each_space_has_its_own_duplicate_threshold() -> None:
    """A trained version's space packs one category's tickets closer than the base encoder's does."""
    policy = replace(similar_tickets_policy(), duplicate_similarity=0.97, base_duplicate_similarity=0.84)
    paraphrase = [_ticket(0.9, 1)]
    assert policy.duplicate_of(paraphrase, NOW, base_space=True) == paraphrase[0]
    assert policy.duplicate_of(paraphrase, NOW, base_space=False) is None
    assert policy.search_min_similarity <= 0.84


def test_neighbours_of_two_searches_merge_as_one_search_ranks_them() -> None:
    stored = [_ticket(0.9, 2, 1), _ticket(0.7, 3, 2)]
    batch = [_ticket(0.95, 0, 3), _ticket(0.9, 0, 4), _ticket(0.9, 2, 1)]
    merged = merge_neighbours(stored, batch)
    assert [t.analysis_id for t in merged] == [3, 1, 4, 2], "most similar first, a tie to the earlier, each once"
    labelled = SimilarTicket(0.8, NOW, labelled_ticket_id=1)
    assert merge_neighbours([labelled], [_ticket(0.8, 0, 1)]) == (labelled, _ticket(0.8, 0, 1))
    assert merge_neighbours() == ()


def test_a_stored_vector_is_shown_as_a_search_shows_it() -> None:
    row = StoredVector(1, "v", b"", NOW, analysis_id=7, category="Hardware", label_is_human=True, team_id=3)
    assert row.found(1.0000001) == SimilarTicket(1.0, NOW, 7, None, "Hardware", True, 3)


def test_similarities_are_cosines() -> None:
    with pytest.raises(ValueError):
        replace(similar_tickets_policy(), min_similarity=1.5)
    with pytest.raises(ValueError):
        replace(similar_tickets_policy(), k=-1)

"""The HDBSCAN clusterer (real scikit-learn) on fixed vectors: two tight groups found, scattered vectors left out."""

from __future__ import annotations

import math
import random

import pytest

from adapters.outbound.clustering.hdbscan_clusterer import HdbscanTopicClusterer

pytestmark = pytest.mark.integration

DIM = 32


def _unit(values: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


def _direction(seed: int) -> list[float]:
    rng = random.Random(seed)
    return _unit([rng.gauss(0, 1) for _ in range(DIM)])


def _near(base: list[float], seed: int, noise: float = 0.02) -> list[float]:
    rng = random.Random(seed)
    return _unit([v + rng.gauss(0, noise) for v in base])


def _fixed() -> tuple[list[list[float]], list[int], list[int], list[int]]:
    """Two tight groups of 7 and 6 and 6 scattered vectors, interleaved; the positions of each. The groups are
    about 0.5 cosine-close to each other, as two subjects of one helpdesk are, and the scattered vectors far from
    everything (random directions are nearly orthogonal)."""
    shared = _direction(0)
    first = _unit([a + b for a, b in zip(shared, _direction(1), strict=True)])
    second = _unit([a + b for a, b in zip(shared, _direction(2), strict=True)])
    vectors: list[list[float]] = []
    groups: tuple[list[int], list[int], list[int]] = ([], [], [])
    for i in range(19):
        kind = i % 3 if i < 18 else 0
        vectors.append(
            _near(first, 100 + i) if kind == 0 else _near(second, 200 + i) if kind == 1 else _direction(300 + i)
        )
        groups[kind].append(i)
    return vectors, *groups


def test_two_tight_groups_are_two_clusters_and_scattered_vectors_are_noise() -> None:
    vectors, first, second, scattered = _fixed()
    clusters = HdbscanTopicClusterer().cluster(vectors, 5)
    assert len(clusters) == len(vectors)
    assert len({clusters[i] for i in first}) == 1 and len({clusters[i] for i in second}) == 1
    assert {clusters[first[0]], clusters[second[0]]} == {0, 1}
    assert [clusters[i] for i in scattered] == [-1] * len(scattered)


def test_the_answer_is_the_same_every_time_and_vectors_need_not_be_exactly_unit() -> None:
    vectors, *_ = _fixed()
    clusterer = HdbscanTopicClusterer()
    answer = clusterer.cluster(vectors, 5)
    assert clusterer.cluster(vectors, 5) == answer
    assert clusterer.cluster([[3.0 * v for v in vector] for vector in vectors], 5) == answer


def test_too_few_vectors_are_all_noise_and_so_is_a_lone_group() -> None:
    vectors, *_ = _fixed()
    clusterer = HdbscanTopicClusterer()
    assert clusterer.cluster(vectors[:4], 5) == [-1] * 4
    assert clusterer.cluster([], 5) == []
    # With at least 7 a topic, only the group of 7 could be one; HDBSCAN never makes all the data one cluster
    # (scikit-learn's allow_single_cluster, not taken: README "Emerging topics"), so there is none.
    assert clusterer.cluster(vectors, 7) == [-1] * len(vectors)
    with pytest.raises(ValueError, match="at least 2"):
        clusterer.cluster(vectors, 1)

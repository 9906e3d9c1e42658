"""Port: density-based clustering of ticket vectors (emerging topics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class TopicClusterer(Protocol):
    """Says which vectors lie in one dense region together.

    Contract: `vectors` are of one model version's space and are compared by their cosine (the clusterer scales
    each to unit length itself: stored vectors are fp16, a hair off unit, and a zero vector stays as it is). The
    answer has one cluster index per vector, in their order: 0 to k-1 for k clusters, -1 for a vector in none
    (noise). Every cluster has at least `min_cluster_size` vectors; fewer vectors than that are all noise. The
    number of clusters is found, never given. Deterministic: the same vectors in the same order get the same
    answer. CPU-bound and blocking: callers run it off the event loop.
    """

    def cluster(self, vectors: Sequence[Sequence[float]], min_cluster_size: int) -> list[int]: ...

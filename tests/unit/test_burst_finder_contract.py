"""The burst-finder contract over the pure-Python reference and the numpy adapter, and the two agreeing on a few
hundred random and clustered tickets of several companies and versions (384 dimensions, like the embedder's)."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.outbound.similarity.numpy_bursts import NumpyBurstFinder
from domain.ticket_groups import Burst, BurstPolicy, GroupedTicket
from tests.burst_finder_contract import T0, BurstFinderContract
from tests.unit.fake_burst_finder import ReferenceBurstFinder

WORDS = "vpn printer mail disk sso payroll wifi laptop password export login crash slow error server".split()


class TestReferenceBurstFinder(BurstFinderContract):
    @pytest.fixture
    def finder(self) -> ReferenceBurstFinder:
        return ReferenceBurstFinder()


class TestNumpyBurstFinder(BurstFinderContract):
    @pytest.fixture
    def finder(self) -> NumpyBurstFinder:
        return NumpyBurstFinder()


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


def _mixed_window(seed: int, dimensions: int = 384) -> list[GroupedTicket]:
    """~300 tickets over two hours in two companies: scattered ones; clusters of several tightnesses (members near
    the threshold join or start groups), some too slow for the window; per company a topic that turns while its
    tickets come in, so its first member is dropped against the final centroid; and part of company 2's tickets
    re-embedded into a second version (fewer, so v1 is the one kept)."""
    rng = random.Random(seed)
    tickets: list[GroupedTicket] = []

    def add(vector: list[float], minutes: float, company: int) -> None:
        text = " ".join(rng.sample(WORDS, 3))
        at = T0 + timedelta(minutes=minutes)
        tickets.append(GroupedTicket(company, "v1", tuple(vector), at, text, len(tickets) + 1))

    def direction() -> list[float]:
        return _unit([rng.gauss(0, 1) for _ in range(dimensions)])

    for _ in range(150):
        add(direction(), rng.uniform(0, 120), rng.choice((1, 2)))
    for cluster in range(12):
        centre, noise = direction(), rng.choice((0.005, 0.01, 0.025, 0.03))  # cosines ~0.995, ~0.98, ~0.9, ~0.86
        begin, spread = rng.uniform(0, 100), rng.choice((10, 40, 90))
        for _ in range(rng.randint(4, 16)):
            add([v + rng.gauss(0, noise) for v in centre], begin + rng.uniform(0, spread), 1 + cluster % 2)
    for company in (1, 2):
        # Each ticket ~0.9 close to the running centroid, turning one way in the plane of two directions.
        first, second = direction(), direction()
        begin = rng.uniform(0, 100)
        for i, angle in enumerate((0.0, 0.451, 0.677, 0.828, 0.943, 1.035, 1.113, 1.179)):
            turned = [math.cos(angle) * a + math.sin(angle) * b for a, b in zip(first, second, strict=True)]
            add([v + rng.gauss(0, 0.001) for v in turned], begin + i, company)
    tickets += [replace(t, model_version="v2") for t in tickets[:40] if t.company_id == 2]
    return tickets


def _shape(bursts: list[Burst]) -> list[tuple[int, str, list[int | None], tuple[str, ...]]]:
    return [(b.company_id, b.model_version, [t.analysis_id for t in b.tickets], b.top_terms) for b in bursts]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_numpy_adapter_finds_the_bursts_the_reference_finds(seed: int) -> None:
    tickets = _mixed_window(seed)
    policy = BurstPolicy(min_size=5, similarity=0.85, window=timedelta(minutes=60))
    expected = ReferenceBurstFinder().find(tickets, policy)
    found = NumpyBurstFinder().find(tickets, policy)
    assert expected  # the clusters make bursts, so the comparison means something
    assert _shape(found) == _shape(expected)
    assert [b.cohesion for b in found] == pytest.approx([b.cohesion for b in expected], abs=1e-9)

"""The burst finder's contract (`BurstFinder`), for every implementation, on fixed vectors.

`BurstFinderContract` is not collected by itself; a subclass provides the `finder` fixture: the pure-Python
reference and the numpy adapter (tests/unit/test_burst_finder_contract.py). The helpers build tickets for these
tests and for the service's (tests/unit/test_bursts.py).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from application.ports.burst_finder import BurstFinder
from domain.ticket_groups import BurstPolicy, GroupedTicket

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
DIM = 16
# The tickets below were written for these values (4 are too few, 6 over 2.5 hours too slow), so they stay
# explicit: tuning BURST_* in production must not change what these tests mean.
POLICY = BurstPolicy(min_size=5, similarity=0.85, window=timedelta(minutes=60))


def direction(seed: int) -> list[float]:
    rng = random.Random(seed)
    vector = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


def near(base: list[float], seed: int, noise: float = 0.05) -> tuple[float, ...]:
    rng = random.Random(seed)
    return tuple(v + rng.gauss(0, noise) for v in base)


def in_plane(angle: float) -> tuple[float, ...]:
    """A unit vector in the plane of the first two axes."""
    return (math.cos(angle), math.sin(angle)) + (0.0,) * (DIM - 2)


def ticket(
    vector: tuple[float, ...] | list[float],
    minutes: float,
    text: str,
    company: int = 1,
    version: str = "v1",
    analysis_id: int = 0,
) -> GroupedTicket:
    return GroupedTicket(
        company,
        version,
        tuple(vector),
        T0 + timedelta(minutes=minutes),
        text,
        analysis_id or None,
        None if analysis_id else 1,
    )


def scattered(count: int, company: int = 1, start_seed: int = 100) -> list[GroupedTicket]:
    return [
        ticket(direction(start_seed + i), i * 2, f"unrelated question number {i} about topic{i}", company)
        for i in range(count)
    ]


class BurstFinderContract:
    def test_a_tight_group_within_the_window_is_a_burst_with_its_first_and_last_time_and_words(
        self, finder: BurstFinder
    ) -> None:
        outage = direction(1)
        burst_tickets = [
            ticket(near(outage, i), 10 + i * 5, f"VPN gateway down, cannot connect to vpn ({i})") for i in range(6)
        ]
        (burst,) = finder.find(burst_tickets + scattered(20), POLICY)
        assert burst.size == 6 and burst.company_id == 1
        assert burst.first_at == T0 + timedelta(minutes=10) and burst.last_at == T0 + timedelta(minutes=35)
        assert {"vpn", "gateway"} <= set(burst.top_terms)
        assert burst.cohesion >= POLICY.similarity

    def test_scattered_tickets_make_no_burst(self, finder: BurstFinder) -> None:
        assert finder.find(scattered(40), POLICY) == []
        assert finder.find([], POLICY) == []

    def test_too_few_or_too_slow_similar_tickets_make_no_burst(self, finder: BurstFinder) -> None:
        outage = direction(2)
        four = [ticket(near(outage, i), i, "printer jam") for i in range(4)]
        assert finder.find(four, POLICY) == []
        slow = [ticket(near(outage, i), i * 30, "printer jam") for i in range(6)]  # 6 tickets over 2.5 hours
        assert all(burst.size < 6 for burst in finder.find(slow, POLICY))

    def test_a_group_is_open_to_tickets_until_exactly_the_window_after_its_first(self, finder: BurstFinder) -> None:
        outage = direction(8)
        on_time = [ticket(near(outage, i), i * 15, "disk full") for i in range(5)]  # the last at exactly 60 minutes
        (burst,) = finder.find(on_time, POLICY)
        assert burst.size == 5
        late = on_time[:4] + [ticket(near(outage, 4), 60.001, "disk full")]
        assert finder.find(late, POLICY) == []

    def test_tickets_are_taken_in_time_order_whatever_order_they_come_in(self, finder: BurstFinder) -> None:
        outage = direction(9)
        tickets = [ticket(near(outage, i), i, f"sso broken {i}", analysis_id=i + 1) for i in range(6)]
        tickets += scattered(10, start_seed=900)
        shuffled = list(tickets)
        random.Random(1).shuffle(shuffled)
        assert finder.find(shuffled, POLICY) == finder.find(tickets, POLICY)
        (burst,) = finder.find(shuffled, POLICY)
        assert [t.analysis_id for t in burst.tickets] == [1, 2, 3, 4, 5, 6]

    def test_members_that_drifted_away_from_the_final_centroid_are_dropped(self, finder: BurstFinder) -> None:
        # Each ticket is ~0.9 close to the centroid of those before it, but the group turns away from the first.
        angles = (0.0, 0.451, 0.677, 0.828, 0.943, 1.035, 1.113, 1.179)
        tickets = [ticket(in_plane(a), i, f"drift {i}", analysis_id=i + 1) for i, a in enumerate(angles)]
        (burst,) = finder.find(tickets, POLICY)
        assert [t.analysis_id for t in burst.tickets] == [2, 3, 4, 5, 6, 7, 8]
        assert burst.cohesion >= POLICY.similarity
        assert finder.find(tickets[:5], POLICY) == []  # 5 joined, but the first does not stay: 4 are too few

    def test_a_ticket_as_close_to_two_groups_joins_the_newer(self, finder: BurstFinder) -> None:
        # x is exactly 0.9 close to both (0.9, ±√0.19), which are 0.62 close to each other: two groups.
        older, newer, x = in_plane(math.acos(0.9)), in_plane(-math.acos(0.9)), in_plane(0.0)
        tickets = [ticket(older, 0, "a", analysis_id=1), ticket(newer, 1, "b", analysis_id=2)]
        tickets.append(ticket(x, 2, "x", analysis_id=3))
        tickets += [ticket(older, 3 + i, "a", analysis_id=10 + i) for i in range(3)]
        tickets += [ticket(newer, 3 + i, "b", analysis_id=20 + i) for i in range(3)]
        (burst,) = finder.find(tickets, POLICY)
        assert [t.analysis_id for t in burst.tickets] == [2, 3, 20, 21, 22]

    def test_bursts_come_biggest_first_then_by_company_and_first_ticket(self, finder: BurstFinder) -> None:
        def group(seed: int, size: int, company: int, start: float) -> list[GroupedTicket]:
            base = direction(seed)
            return [ticket(near(base, seed * 100 + i), start + i, f"g{seed}", company) for i in range(size)]

        tickets = group(11, 5, 2, 0) + group(12, 7, 1, 5) + group(13, 5, 1, 20) + group(14, 5, 1, 10)
        found = finder.find(tickets, POLICY)
        assert [(b.size, b.company_id, b.top_terms) for b in found] == [
            (7, 1, ("g12",)),
            (5, 1, ("g14",)),
            (5, 1, ("g13",)),
            (5, 2, ("g11",)),
        ]

    def test_companies_never_mix(self, finder: BurstFinder) -> None:
        outage = direction(3)
        tickets = [ticket(near(outage, i), i, "mail server down", company=1 + i % 2) for i in range(8)]
        assert finder.find(tickets, POLICY) == []  # 4 per company
        tickets += [ticket(near(outage, 50 + i), 20 + i, "mail server down", company=1) for i in range(2)]
        (burst,) = finder.find(tickets, POLICY)
        assert burst.company_id == 1 and burst.size == 6
        assert {t.company_id for t in burst.tickets} == {1}

    def test_two_versions_of_a_company_are_never_compared(self, finder: BurstFinder) -> None:
        outage = direction(4)
        tickets = [ticket(near(outage, i), i, "disk full", version="v1" if i < 3 else "v2") for i in range(6)]
        assert finder.find(tickets, POLICY) == []

    def test_a_zero_vector_joins_no_group(self, finder: BurstFinder) -> None:
        outage = direction(10)
        tickets = [ticket(near(outage, i), i, "vpn down", analysis_id=i + 1) for i in range(5)]
        tickets.append(ticket((0.0,) * DIM, 2.5, "empty", analysis_id=99))
        (burst,) = finder.find(tickets, POLICY)
        assert [t.analysis_id for t in burst.tickets] == [1, 2, 3, 4, 5]

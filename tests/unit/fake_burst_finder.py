"""The pure-Python BurstFinder: the rule written as plainly as it reads, the reference the numpy adapter must match.

It was the production implementation until its cost (every ticket against every open group's centroid, rebuilt each
time, in Python: ~28 s of CPU for 1,000 scattered tickets) moved production to the numpy adapter; here it is the
fake the service tests use and the oracle of the equivalence test.
"""

from __future__ import annotations

import math
import operator
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.predictions import Vector
from domain.ticket_groups import Burst, BurstPolicy, GroupedTicket, biggest_first, burst_of, in_one_space


@dataclass(slots=True)
class _Group:
    first_at: datetime
    total: list[float]
    members: list[int] = field(default_factory=list)

    def centroid(self) -> Vector:
        return _unit(self.total)


def _unit(vector: Sequence[float]) -> Vector:
    norm = math.sqrt(sum(value * value for value in vector))
    return tuple(value / norm for value in vector) if norm > 0 else tuple(vector)


def _cosine_of_units(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(map(operator.mul, a, b)))


class ReferenceBurstFinder:
    """Implements BurstFinder in plain Python; records the thread of each call (the service must not block its
    event loop with it)."""

    def __init__(self) -> None:
        self.threads: list[int] = []

    def find(self, tickets: Sequence[GroupedTicket], policy: BurstPolicy) -> list[Burst]:
        self.threads.append(threading.get_ident())
        bursts: list[Burst] = []
        for company_tickets in in_one_space(tickets).values():
            bursts.extend(_company_bursts(sorted(company_tickets, key=lambda t: t.created_at), policy))
        return biggest_first(bursts)


def _company_bursts(tickets: Sequence[GroupedTicket], policy: BurstPolicy) -> list[Burst]:
    units = [_unit(ticket.vector) for ticket in tickets]
    groups: list[_Group] = []
    for index, (ticket, vector) in enumerate(zip(tickets, units, strict=True)):
        best, best_similarity = None, policy.similarity
        for group in groups:
            if ticket.created_at - group.first_at > policy.window:
                continue
            similarity = _cosine_of_units(vector, group.centroid())
            if similarity >= best_similarity:
                best, best_similarity = group, similarity
        if best is None:
            groups.append(_Group(ticket.created_at, list(vector), [index]))
        else:
            best.total = [a + b for a, b in zip(best.total, vector, strict=True)]
            best.members.append(index)
    bursts = []
    texts = [ticket.text for ticket in tickets]
    for group in groups:
        if len(group.members) < policy.min_size:
            continue
        centroid = group.centroid()
        kept = [(i, s) for i in group.members if (s := _cosine_of_units(units[i], centroid)) >= policy.similarity]
        if len(kept) < policy.min_size:
            continue
        bursts.append(burst_of([tickets[i] for i, _ in kept], [s for _, s in kept], texts))
    return bursts

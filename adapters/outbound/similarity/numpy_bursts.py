"""Burst detection's grouping with numpy (BurstFinder): each ticket against every open group in one product.

Why numpy: the rule compares each ticket with the centroid of every group still open, so scattered tickets (each
starting a group of its own) cost n² cosines; in pure Python that was ~28 s of CPU, holding the GIL, for 1,000
tickets, in the API process. Here the open groups' unit centroids are rows of one matrix, and a ticket is compared
with all of them in one matrix-vector product (BLAS, which releases the GIL while it runs); a joined group's
centroid row is updated from its running sum, not recomputed from its members.

Why float64: the answer must be the one the rule gives (the pure-Python reference in tests/unit agrees with this to
rounding); float32 would move cosines by ~1e-7, enough to flip a ticket that sits on the threshold. Groups are
created in time order, so the open ones (begun within the window) are always the newest rows: a group closes for
good by moving the first open row forward, and the product reads only the open rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from adapters.outbound.similarity.blas_threads import one_blas_thread
from domain.ticket_groups import Burst, BurstPolicy, GroupedTicket, biggest_first, burst_of, in_one_space


class NumpyBurstFinder:
    """Implements BurstFinder; stateless, so one serves every caller and thread."""

    def find(self, tickets: Sequence[GroupedTicket], policy: BurstPolicy) -> list[Burst]:
        one_blas_thread()  # on each call (~1 ms): a library that raised the process-wide limit meanwhile has no say
        bursts: list[Burst] = []
        for company_tickets in in_one_space(tickets).values():
            bursts.extend(_company_bursts(sorted(company_tickets, key=lambda t: t.created_at), policy))
        return biggest_first(bursts)


def _company_bursts(tickets: Sequence[GroupedTicket], policy: BurstPolicy) -> list[Burst]:
    """One company's bursts, its `tickets` in time order, in the order their groups began."""
    if len(tickets) < policy.min_size:
        return []
    units = _units(tickets)
    group_of, centroids = _group(tickets, units, policy)
    # Each ticket's cosine with its group's final centroid: who stays in the group.
    final = np.einsum("ij,ij->i", units, centroids[group_of])
    staying = final >= policy.similarity
    sizes = np.bincount(group_of[staying], minlength=centroids.shape[0])
    texts = [ticket.text for ticket in tickets]
    bursts = []
    for group in np.flatnonzero(sizes >= policy.min_size):
        members = np.flatnonzero(staying & (group_of == group)).tolist()
        bursts.append(burst_of([tickets[i] for i in members], [float(final[i]) for i in members], texts))
    return bursts


def _group(tickets: Sequence[GroupedTicket], units: Any, policy: BurstPolicy) -> tuple[Any, Any]:
    """The group of each ticket (numbered in the order the groups began), placed one after another, and each
    group's final unit centroid."""
    count, dimensions = units.shape
    totals = np.empty((count, dimensions))  # row g: the sum of group g's members' unit vectors so far
    centroids = np.empty((count, dimensions))  # row g: totals[g] made unit (a zero sum stays zero)
    began: list[Any] = []
    group_of = np.empty(count, dtype=np.intp)
    groups = first_open = 0
    for index, ticket in enumerate(tickets):
        vector = units[index]
        while first_open < groups and ticket.created_at - began[first_open] > policy.window:
            first_open += 1  # too old for this ticket, so for every later one: closed for good
        best = -1
        if first_open < groups:
            similarities = centroids[first_open:groups] @ vector
            last_best = similarities.size - 1 - int(np.argmax(similarities[::-1]))  # a tie goes to the newest
            if similarities[last_best] >= policy.similarity:
                best = first_open + last_best
        if best < 0:
            best = groups
            groups += 1
            totals[best] = vector
            centroids[best] = vector
            began.append(ticket.created_at)
        else:
            total = totals[best]
            total += vector
            norm = float(np.sqrt(total @ total))
            centroids[best] = total / norm if norm > 0 else total
        group_of[index] = best
    return group_of, centroids[:groups]


def _units(tickets: Sequence[GroupedTicket]) -> Any:
    dimensions = {len(ticket.vector) for ticket in tickets}
    if len(dimensions) != 1:
        raise ValueError(f"vectors of one space with {sorted(dimensions)} dimensions")
    return _unit_rows(np.array([ticket.vector for ticket in tickets], dtype=np.float64))


def _unit_rows(rows: Any) -> Any:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)

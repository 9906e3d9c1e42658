"""Port: the grouping that finds bursts among the tickets of the last window (the vector arithmetic of the rule)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.ticket_groups import Burst, BurstPolicy, GroupedTicket


class BurstFinder(Protocol):
    """Groups tickets by their vectors and keeps the groups that are bursts under a `BurstPolicy`.

    Contract: the tickets are split per company into one version space (`domain.ticket_groups.in_one_space`), so
    two companies never share a group and two versions are never compared. Within a company, tickets are taken in
    time order (stable: equal times keep their given order); each joins the open group whose centroid (the unit
    mean of its members' unit vectors so far) it is closest to by cosine, when that is at least `policy.similarity`
    (on a tie, the group begun last), else it starts a group. A group is open to a ticket while it began at most
    `policy.window` before it. Once every ticket is placed, a group's members below `policy.similarity` against its
    final centroid are dropped, and a group with fewer than `policy.min_size` members left is not a burst, so every
    member of a burst is close to the whole group, not only to the tickets that came before it. Each burst is
    `domain.ticket_groups.burst_of` its kept members, oldest first, with their cosines to the final centroid and the
    company's window texts as background; the answer is `biggest_first`. A zero vector has a cosine of 0 with
    everything.

    Implementations agree up to float rounding (a cosine within 1e-9 of the threshold may fall either way). `find`
    is CPU-bound and synchronous: callers on an event loop run it in a thread (BurstWatch: asyncio.to_thread).
    """

    def find(self, tickets: Sequence[GroupedTicket], policy: BurstPolicy) -> list[Burst]: ...

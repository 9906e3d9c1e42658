"""Emerging topics: groups among a company's recent tickets that the model could not place, for an admin to name.

The tickets are the company's recent analyses that wait for review or that a person labelled with a category the
served model does not know, in one model version's space (`domain.ticket_groups.in_one_space`). A clusterer (a
port) says which of them belong together; everything here is plain Python over its answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from domain.ticket_groups import GroupedTicket, top_terms

NOISE = -1
"""The cluster index of a ticket that belongs to no cluster."""


@dataclass(frozen=True, slots=True)
class TopicPolicy:
    """`window`: how far back tickets are read (TOPIC_WINDOW_DAYS); `max_tickets`: the newest that many at most
    (TOPIC_MAX_TICKETS); `min_cluster_size`: the fewest tickets a topic has (TOPIC_MIN_CLUSTER_SIZE)."""

    window: timedelta
    max_tickets: int
    min_cluster_size: int

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")
        if self.max_tickets < 1:
            raise ValueError("max_tickets must be positive")
        if self.min_cluster_size < 2:
            raise ValueError("a topic has at least 2 tickets")


@dataclass(frozen=True, slots=True)
class EmergingTopic:
    """Tickets of one company that say similar things the model could not place, newest first."""

    tickets: tuple[GroupedTicket, ...]
    top_terms: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.tickets)

    @property
    def analysis_ids(self) -> tuple[int, ...]:
        return tuple(ticket.analysis_id for ticket in self.tickets if ticket.analysis_id is not None)

    @property
    def labels(self) -> tuple[tuple[str | None, int], ...]:
        """The person's labels the tickets carry now, most common first; None counts the tickets waiting for
        review (no person labelled them yet)."""
        counts = Counter(ticket.label for ticket in self.tickets)
        return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, item[0] or "")))


def topics_from_clusters(
    tickets: Sequence[GroupedTicket], clusters: Sequence[int], background: Iterable[str]
) -> list[EmergingTopic]:
    """The topics that `clusters` (one cluster index per ticket, `NOISE` for none) make of `tickets`, biggest first
    (then the one with the newest ticket). Each is named by its `top_terms` against `background`: the texts the
    tickets were found among (the company's recent tickets, these included), so words every ticket uses rank low."""
    if len(clusters) != len(tickets):
        raise ValueError(f"{len(clusters)} cluster indices for {len(tickets)} tickets")
    members: dict[int, list[GroupedTicket]] = {}
    for ticket, cluster in zip(tickets, clusters, strict=True):
        if cluster != NOISE:
            members.setdefault(cluster, []).append(ticket)
    texts = list(background)
    topics = []
    for group in members.values():
        newest_first = tuple(sorted(group, key=lambda t: (t.created_at, t.analysis_id or 0), reverse=True))
        topics.append(EmergingTopic(newest_first, top_terms([t.text for t in newest_first], texts)))
    return sorted(topics, key=lambda topic: (-topic.size, -topic.tickets[0].created_at.timestamp()))

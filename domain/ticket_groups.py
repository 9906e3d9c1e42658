"""Groups of tickets that belong together: bursts (a major-incident signal) and emerging topics.

Both work on tickets placed in one model version's space (`GroupedTicket.model_version`): tickets of two versions
are never compared, and tickets of two companies never share a group. The rules and what a group is named by live
here; the vector arithmetic that finds the groups is behind the `BurstFinder` port (application/ports/burst_finder.py).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.predictions import Vector

TOP_TERMS = 5
_WORD = re.compile(r"[a-z][a-z0-9]+(?:['-][a-z0-9]+)*")
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can cannot could did do does doing down during each few for from further had has have having he her here
    hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other
    our ours out over own same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you your
    yours also am please hi hello thanks thank regards dear team get got need needs needed still us since""".split()
)
"""English function words and helpdesk greetings: they say nothing about what a group of tickets is about."""


@dataclass(frozen=True, slots=True)
class GroupedTicket:
    """A ticket with its vector in one model version's space and its text. Exactly one of `analysis_id` and
    `labelled_ticket_id` names it; `label` is a person's category for it, when one exists."""

    company_id: int
    model_version: str
    vector: Vector
    created_at: datetime
    text: str
    analysis_id: int | None = None
    labelled_ticket_id: int | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class BurstPolicy:
    """A burst: at least `min_size` tickets of one company, each at least `similarity` close (cosine) to the
    group's centroid, all created within `window`: BURST_MIN, BURST_SIMILARITY and BURST_WINDOW_MINUTES."""

    min_size: int
    similarity: float
    window: timedelta

    def __post_init__(self) -> None:
        if self.min_size < 2:
            raise ValueError("a burst has at least 2 tickets")
        if not -1.0 <= self.similarity <= 1.0:
            raise ValueError("similarity is a cosine, between -1 and 1")
        if self.window <= timedelta(0):
            raise ValueError("window must be positive")


@dataclass(frozen=True, slots=True)
class Burst:
    """Tickets of one company that arrived close together and say nearly the same thing, oldest first."""

    company_id: int
    model_version: str
    tickets: tuple[GroupedTicket, ...]
    top_terms: tuple[str, ...]
    cohesion: float
    """The mean cosine of the tickets to their centroid."""

    @property
    def size(self) -> int:
        return len(self.tickets)

    @property
    def first_at(self) -> datetime:
        return self.tickets[0].created_at

    @property
    def last_at(self) -> datetime:
        return self.tickets[-1].created_at


def in_one_space(tickets: Sequence[GroupedTicket]) -> dict[int, list[GroupedTicket]]:
    """Per company, its tickets of one version: the version holding most of them (the newest ticket's on a tie).

    While a company's tickets are re-embedded after a version swap, a ticket can have a vector in both versions:
    keeping one version per company compares only comparable vectors and counts no ticket twice.
    """
    by_space: dict[tuple[int, str], list[GroupedTicket]] = {}
    for ticket in tickets:
        by_space.setdefault((ticket.company_id, ticket.model_version), []).append(ticket)
    chosen: dict[int, list[GroupedTicket]] = {}
    for (company_id, _), group in by_space.items():
        held = chosen.get(company_id)
        if held is None or (len(group), max(t.created_at for t in group)) > (
            len(held),
            max(t.created_at for t in held),
        ):
            chosen[company_id] = group
    return chosen


def burst_of(members: Sequence[GroupedTicket], similarities: Sequence[float], background: Sequence[str]) -> Burst:
    """The burst of `members` (a group of one company's tickets, oldest first), each at `similarities` to the
    group's centroid, named by its top terms among `background` (the texts of the tickets it was found among)."""
    return Burst(
        members[0].company_id,
        members[0].model_version,
        tuple(members),
        top_terms([ticket.text for ticket in members], background),
        sum(similarities) / len(similarities),
    )


def biggest_first(bursts: Iterable[Burst]) -> list[Burst]:
    """Bursts in the order they are shown and counted: biggest first, then by company and first ticket."""
    return sorted(bursts, key=lambda b: (-b.size, b.company_id, b.first_at))


def words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS]


def top_terms(texts: Sequence[str], background: Iterable[str], count: int = TOP_TERMS) -> tuple[str, ...]:
    """The words that best name `texts` among `background` (the texts they were found among, `texts` included):
    TF-IDF with the share of `texts` that use a word as its TF and the background's smoothed IDF, so a word every
    ticket uses ranks low and a word only these tickets use ranks high. Ties go to the alphabetically first."""
    documents = [set(words(text)) for text in background]
    in_documents: Counter[str] = Counter(word for document in documents for word in document)
    used: Counter[str] = Counter(word for text in texts for word in set(words(text)))
    total = len(documents)

    def score(word: str) -> float:
        idf = math.log((1 + total) / (1 + in_documents[word])) + 1.0
        return used[word] / max(len(texts), 1) * idf

    return tuple(sorted(used, key=lambda word: (-score(word), word))[:count])

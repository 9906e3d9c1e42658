"""Similar tickets and possible duplicates: the stored text vector of every ticket, and what a search finds.

A ticket's vector lives in the space of the model version that computed it (`model_version`, the version's name as
analyses record it): vectors of two versions are never compared. Vectors are stored as little-endian IEEE half
floats (fp16): half the bytes of float32, and far more precision than a cosine ranking needs.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.predictions import Vector

FP16_BYTES = 2
DUPLICATE_CANDIDATES = 10
"""Neighbours a search considers for a duplicate: the nearest recent one may rank below older near-identical ones."""


def pack_vector(values: Sequence[float]) -> bytes:
    """The vector as little-endian fp16 bytes (values beyond fp16's range would be an error: unit vectors fit)."""
    return struct.pack(f"<{len(values)}e", *values)


def unpack_vector(data: bytes) -> Vector:
    if len(data) % FP16_BYTES:
        raise ValueError(f"an fp16 vector has an even number of bytes, got {len(data)}")
    return struct.unpack(f"<{len(data) // FP16_BYTES}e", data)


@dataclass(frozen=True, slots=True)
class TextVector:
    """A ticket's vector (`pack_vector`'s bytes) in the space of `model_version`."""

    model_version: str
    vector: bytes


@dataclass(frozen=True, slots=True)
class StoredVector:
    """One ticket's vector in one model version's space, with what a similar-ticket answer shows about it.

    Exactly one of `analysis_id` and `labelled_ticket_id` names the ticket. `vector` is `pack_vector`'s bytes.
    `category` is the ticket's category as last known: a person's label when `label_is_human`, else the model's
    prediction (None when the company does not categorise). `created_at` is the ticket's own time.
    """

    company_id: int
    model_version: str
    vector: bytes
    created_at: datetime
    analysis_id: int | None = None
    labelled_ticket_id: int | None = None
    category: str | None = None
    label_is_human: bool = False
    team_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if (self.analysis_id is None) == (self.labelled_ticket_id is None):
            raise ValueError("a stored vector names exactly one of analysis_id and labelled_ticket_id")

    def found(self, similarity: float) -> SimilarTicket:
        """What an answer shows of this ticket when a search finds it `similarity` close."""
        return SimilarTicket(
            similarity=min(similarity, 1.0),
            created_at=self.created_at,
            analysis_id=self.analysis_id,
            labelled_ticket_id=self.labelled_ticket_id,
            category=self.category,
            category_is_human_label=self.label_is_human,
            team_id=self.team_id,
        )


@dataclass(frozen=True, slots=True)
class TicketToEmbed:
    """A ticket of a company that has a vector in some model version but none in the one asked about: what
    re-embedding it needs (its text) and keeps (everything else of its `StoredVector`)."""

    company_id: int
    text: str
    created_at: datetime
    analysis_id: int | None = None
    labelled_ticket_id: int | None = None
    category: str | None = None
    label_is_human: bool = False
    team_id: int | None = None

    def embedded(self, model_version: str, vector: Sequence[float]) -> StoredVector:
        return StoredVector(
            company_id=self.company_id,
            model_version=model_version,
            vector=pack_vector(vector),
            created_at=self.created_at,
            analysis_id=self.analysis_id,
            labelled_ticket_id=self.labelled_ticket_id,
            category=self.category,
            label_is_human=self.label_is_human,
            team_id=self.team_id,
        )


@dataclass(frozen=True, slots=True)
class SimilarTicket:
    """An earlier ticket of the same company close to the one asked about (`similarity`: cosine, at most 1)."""

    similarity: float
    created_at: datetime
    analysis_id: int | None = None
    labelled_ticket_id: int | None = None
    category: str | None = None
    category_is_human_label: bool = False
    team_id: int | None = None


def merge_neighbours(*found: Sequence[SimilarTicket]) -> tuple[SimilarTicket, ...]:
    """One ticket's neighbours found by several searches (the stored tickets, the earlier tickets of its batch) as
    one search would rank them: most similar first, ties by the earlier ticket, each ticket once."""
    seen: set[tuple[int | None, int | None]] = set()
    merged = []
    for ticket in sorted((t for tickets in found for t in tickets), key=lambda t: (-t.similarity, t.created_at)):
        key = (ticket.analysis_id, ticket.labelled_ticket_id)
        if key not in seen:
            seen.add(key)
            merged.append(ticket)
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class SimilarTicketsPolicy:
    """How many similar tickets an answer carries and how close they must be, and when the nearest one is a
    possible duplicate (close enough, and recent enough): SIMILAR_TICKETS_K, SIMILAR_TICKETS_MIN_SIMILARITY,
    DUPLICATE_SIMILARITY, DUPLICATE_SIMILARITY_BASE and DUPLICATE_WINDOW_HOURS.

    Why two duplicate thresholds: fine-tuning pulls the tickets of one category together, so in a trained
    version's space different tickets of one category lie as close as paraphrases do in the base encoder's space
    (where a fresh install and a linear-only version place tickets). Each space gets the threshold measured in it."""

    k: int
    min_similarity: float
    duplicate_similarity: float
    """In a trained version's space."""
    base_duplicate_similarity: float
    """In the base encoder's space."""
    duplicate_window: timedelta

    def __post_init__(self) -> None:
        if self.k < 0:
            raise ValueError("k must not be negative")
        similarities = (self.min_similarity, self.duplicate_similarity, self.base_duplicate_similarity)
        if not all(-1.0 <= similarity <= 1.0 for similarity in similarities):
            raise ValueError("similarities are cosines, between -1 and 1")

    @property
    def search_k(self) -> int:
        """How many neighbours a search asks for: the answer's k, and enough to find the nearest recent one."""
        return max(self.k, DUPLICATE_CANDIDATES)

    @property
    def search_min_similarity(self) -> float:
        return min(self.min_similarity, self.duplicate_similarity, self.base_duplicate_similarity)

    def similar(self, found: Sequence[SimilarTicket]) -> tuple[SimilarTicket, ...]:
        """What the answer shows of a search's neighbours (most similar first)."""
        return tuple(ticket for ticket in found if ticket.similarity >= self.min_similarity)[: self.k]

    def duplicate_of(self, found: Sequence[SimilarTicket], at: datetime, *, base_space: bool) -> SimilarTicket | None:
        """The most similar earlier ticket of the last `duplicate_window` before `at` that is at least the
        duplicate threshold of its space close (`base_space`: the base encoder's): a possible duplicate of the
        ticket answered at `at`."""
        threshold = self.base_duplicate_similarity if base_space else self.duplicate_similarity
        return next(
            (
                ticket
                for ticket in found
                if ticket.similarity >= threshold and timedelta(0) <= at - ticket.created_at <= self.duplicate_window
            ),
            None,
        )

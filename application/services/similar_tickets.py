"""Similar earlier tickets of the same company, and possible duplicates, next to each answer.

Each ticket is placed in the served model's space with the vector the model already computed while classifying it
(a trained version's encoder gives it with the prediction), so a ticket costs no extra encoder pass. A model that
gives no vector (the zero-shot classifier, a linear-only version) places its tickets in the embedder's space (the
base MiniLM, whose recent vectors the embedder keeps, so the zero-shot classifier's pass is reused too). A ticket no
model classified (a person's label answered it, or the company does not categorise) is placed by asking the
classifier once.

The search runs in the index (`VectorIndex`), off the event loop; a company's stored vectors of a space are read into
it on first use, in chunks, and what other processes stored since is read every `refresh_seconds`. Once recorded, a
ticket also sees the earlier tickets of its batch and those of the company's requests that searched before it and
were not yet in the index (`in_flight`, requests answered together), as if they had been stored first
(`with_peers`, compared with each other in the index too).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from application.ports.analysis_repository import AnalysisRepository
from application.ports.category_classifier import CategoryClassifier
from application.ports.company_repository import CompanyRepository
from application.ports.text_embedder import TextEmbedder
from application.ports.ticket_vector_repository import TicketVectorRepository
from application.ports.unit_of_work import Transaction
from application.ports.vector_index import VectorIndex
from application.services.in_flight_tickets import Flight, InFlightTickets
from domain.analysis import TicketAnalysis
from domain.errors import InvalidInput, NotFound
from domain.predictions import CategoryPrediction, Vector
from domain.similar_tickets import (
    SimilarTicket,
    SimilarTicketsPolicy,
    StoredVector,
    TextVector,
    merge_neighbours,
    pack_vector,
)

logger = logging.getLogger(__name__)

LOAD_CHUNK = 2_000
"""Vectors read per query while loading a company's index: the event loop serves requests between chunks."""

MAX_K = 100


class SimilarTicketsUnitOfWork(Transaction, Protocol):
    ticket_vectors: TicketVectorRepository
    analyses: AnalysisRepository
    companies: CompanyRepository


class SimilarTickets:
    """One per process (it owns what the index has loaded). `refresh_seconds` is SIMILAR_TICKETS_REFRESH_SECONDS."""

    def __init__(
        self,
        uow_factory: Callable[[], SimilarTicketsUnitOfWork],
        index: VectorIndex,
        classifier: CategoryClassifier,
        embedder: TextEmbedder,
        embedder_space: str,
        policy: SimilarTicketsPolicy,
        refresh_seconds: float,
    ) -> None:
        self._uow_factory = uow_factory
        self._index = index
        self._classifier = classifier
        self._embedder = embedder
        self._embedder_space = embedder_space
        self.policy = policy
        self._refresh_seconds = refresh_seconds
        self._refreshed: dict[tuple[int, str], float] = {}
        self._loading: dict[tuple[int, str], asyncio.Future[None]] = {}
        self._spaces: dict[int, set[str]] = {}
        self.in_flight = InFlightTickets()

    @property
    def index(self) -> VectorIndex:
        return self._index

    async def attach(self, analyses: Sequence[TicketAnalysis], flight: Flight | None = None) -> list[TicketAnalysis]:
        """The analyses (not yet stored, one company) with their vectors, similar tickets and possible duplicate.
        `flight` (the request's place in `in_flight`) takes off just before the search: the requests of the company
        that took off before it are the ones `with_peers` adds."""
        if not analyses:
            return []
        company_id = analyses[0].company_id
        placed = await self.place([a.description for a in analyses], [a.category for a in analyses])
        for space in {space for space, _ in placed}:
            await self._ready(company_id, space)
        if flight is not None:
            flight.take_off()
        policy = self.policy
        try:
            found = await asyncio.gather(
                *(
                    self._index.search(company_id, space, vector, policy.search_k, policy.search_min_similarity)
                    for space, vector in placed
                )
            )
        except ValueError:  # a broken index must not fail the analysis: it is answered and stored without them
            logger.exception("similar-ticket search failed for company %s", company_id)
            found = [[] for _ in placed]
        return [
            replace(
                analysis,
                text_vector=TextVector(space, pack_vector(vector)),
                similar_tickets=policy.similar(neighbours),
                possible_duplicate_of=policy.duplicate_of(
                    neighbours, analysis.created_at, base_space=space == self._embedder_space
                ),
            )
            for analysis, (space, vector), neighbours in zip(analyses, placed, found, strict=True)
        ]

    async def with_peers(self, stored: Sequence[TicketAnalysis], flight: Flight | None = None) -> list[TicketAnalysis]:
        """The analyses `attach` answered and the recorder stored together (one request, in its order), each also
        seeing, in its space, the earlier ones of the request and the stored tickets of the company's requests
        whose `flight` took off before this one's, as if they had been stored before it: among its similar tickets
        and as its possible duplicate (a ticket the index already found is shown once). After recording, because a
        ticket is named by its analysis id; the request's own `flight` lands here, so the later ones see it."""
        rows = [analysis.stored_vector() for analysis in stored]
        earlier: list[StoredVector] = []
        if flight is not None:
            flight.land([row for row in rows if row is not None])
            keys = {(row.company_id, row.model_version) for row in rows if row is not None}
            earlier = [row for row in await flight.earlier() if (row.company_id, row.model_version) in keys]
        if len(stored) < 2 and not earlier:  # a single ticket with nothing in flight before it: it costs nothing more
            return list(stored)
        placed = [(n, row) for n, row in enumerate(rows) if row is not None]
        policy = self.policy
        try:
            found = await self._index.search_earlier(
                [*earlier, *(row for _, row in placed)],
                policy.search_k,
                policy.search_min_similarity,
                searched_from=len(earlier),
            )
        except ValueError:  # as in `attach`: the stored neighbours are still answered
            logger.exception("similar-ticket search among a request's peers failed")
            return list(stored)
        answered = list(stored)
        for (n, row), peers in zip(placed, found, strict=True):
            if not peers:
                continue
            analysis = answered[n]
            duplicate = analysis.possible_duplicate_of
            answered[n] = replace(
                analysis,
                similar_tickets=policy.similar(merge_neighbours(analysis.similar_tickets or (), peers)),
                possible_duplicate_of=policy.duplicate_of(
                    merge_neighbours((duplicate,) if duplicate is not None else (), peers),
                    analysis.created_at,
                    base_space=row.model_version == self._embedder_space,
                ),
            )
        return answered

    async def remember(self, stored: Sequence[TicketAnalysis]) -> None:
        """Adds committed analyses to the index, so the next ticket finds them without a reload."""
        rows = [row for analysis in stored if (row := analysis.stored_vector()) is not None]
        for key in {(row.company_id, row.model_version) for row in rows}:
            if self._index.loaded(*key):
                await self._index.add(*key, [row for row in rows if (row.company_id, row.model_version) == key])

    async def for_analysis(self, analysis_id: int, k: int) -> list[SimilarTicket]:
        """Up to `k` tickets of the analysis's company most similar to it (above the minimum similarity), in the
        served space; empty when the company turned similar tickets off."""
        if not 1 <= k <= MAX_K:
            raise InvalidInput("k", f"must be between 1 and {MAX_K}")
        async with self._uow_factory() as uow:
            analysis = await uow.analyses.get(analysis_id)
            company = await uow.companies.get(analysis.company_id) if analysis is not None else None
        if analysis is None:
            raise NotFound("Analysis", analysis_id)
        if company is None or not company.flags.similar_tickets:
            return []
        ((space, vector),) = await self.place([analysis.description], [None])
        await self._ready(analysis.company_id, space)
        return await self._index.search(
            analysis.company_id, space, vector, k, self.policy.min_similarity, exclude_analysis_id=analysis_id
        )

    async def place(
        self, texts: Sequence[str], predictions: Sequence[CategoryPrediction | None]
    ) -> list[tuple[str, Vector]]:
        """Each text's space and vector (see the module docstring), reusing the predictions' vectors."""
        placed: list[tuple[str, Vector] | None] = [None] * len(texts)
        unclassified = [i for i, p in enumerate(predictions) if p is None or not p.model_version]
        probes = await asyncio.gather(*(self._classifier.classify(texts[i]) for i in unclassified))
        answered = dict(zip(unclassified, probes, strict=True))
        for index, prediction in enumerate(predictions):
            used = answered.get(index, prediction)
            if used is not None and used.embedding is not None and used.model_version:
                placed[index] = (used.model_version, used.embedding)
        rest = [i for i, found in enumerate(placed) if found is None]
        vectors = await self._embedder.embed([texts[i] for i in rest]) if rest else []
        for index, vector in zip(rest, vectors, strict=True):
            placed[index] = (self._embedder_space, vector)
        return [found for found in placed if found is not None]

    async def served_space(self) -> str:
        """The space the served model places tickets in now (one classification of a fixed text)."""
        ((space, _),) = await self.place(["printer not working"], [None])
        return space

    def model_ready(self) -> bool:
        """The classifier serves what the registry says, so `served_space` names the space to re-embed into."""
        return self._classifier.is_ready()

    def spaces_in_memory(self, company_id: int) -> set[str]:
        return set(self._spaces.get(company_id, ()))

    def forget(self, company_id: int, space: str) -> None:
        self._index.forget(company_id, space)
        self._spaces.get(company_id, set()).discard(space)
        self._refreshed.pop((company_id, space), None)

    async def _ready(self, company_id: int, space: str) -> None:
        """The index holds the company's stored vectors of the space: loaded once (concurrent callers wait for
        the same load), then topped up with what others stored, at most every `refresh_seconds` (callers do not
        wait for a top-up another caller runs)."""
        key = (company_id, space)
        if not self._index.loaded(*key):
            loading = self._loading.get(key)
            if loading is None or loading.get_loop() is not asyncio.get_running_loop():
                loading = asyncio.ensure_future(self._load(key))
                self._loading[key] = loading
            await asyncio.shield(loading)
            return
        last = self._refreshed.get(key, 0.0)
        if time.monotonic() - last >= self._refresh_seconds:
            self._refreshed[key] = time.monotonic()
            await self._top_up(key)

    async def _load(self, key: tuple[int, str]) -> None:
        try:
            await self._top_up(key)
            await asyncio.to_thread(self._index.mark_loaded, *key)  # may compact the rows: off the event loop
            self._spaces.setdefault(key[0], set()).add(key[1])
            self._refreshed[key] = time.monotonic()
        finally:
            self._loading.pop(key, None)

    async def _top_up(self, key: tuple[int, str]) -> None:
        while True:
            async with self._uow_factory() as uow:
                rows = await uow.ticket_vectors.load(*key, after_id=self._index.last_stored_id(*key), limit=LOAD_CHUNK)
            await self._index.add(*key, rows)
            if len(rows) < LOAD_CHUNK:
                return

"""Exact cosine search over each company's ticket vectors, kept in memory per model version (VectorIndex).

Why exact and numpy: a company's tickets number in the tens of thousands, where one matrix product over every
vector is both exact and fast enough (README, "Similar tickets"); an approximate index would add a dependency and
a recall figure to watch. Why one search thread taking every queued query at once: reading the company's matrix
from memory is what a search costs, and queries that arrive together share one read (one matrix-matrix product
instead of several matrix-vector ones), the way the models' micro-batchers share a forward pass. Why passes are at
least `min_pass_interval_ms` apart: under load, back-to-back passes of one or two queries each would keep a core
reading the matrix all the time; spacing them bounds the search's share of the CPU, and the queries that arrive
meanwhile join the next pass (a lone query after a quiet spell runs at once). Why one BLAS thread: the product is
small and memory-bound, and OpenBLAS's second thread only spins on the core the web server and the models need.

Rows are float32 and unit length (rebuilt from the stored fp16 bytes): numpy multiplies fp16 matrices many times
slower than float32 ones. A key's rows live in a buffer a quarter larger than needed, grown when full, so adding a
ticket usually copies one row, and a search reads the rows that existed when it started.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from adapters.outbound.similarity.blas_threads import one_blas_thread
from domain.predictions import Vector
from domain.similar_tickets import SimilarTicket, StoredVector

logger = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INLINE_ROWS = 16  # additions up to this many rows are decoded on the caller's thread: microseconds
_MAX_QUERIES = 64  # queries answered by one matrix product
_INITIAL_CAPACITY = 256
_STOP = object()


@dataclass
class _Shelf:
    """One company's vectors of one model version, and what an answer shows about each."""

    dimensions: int
    capacity: int = _INITIAL_CAPACITY
    count: int = 0
    last_id: int = 0
    loaded: bool = False
    rows: Any = None
    analysis_ids: Any = None
    labelled_ids: Any = None
    created_us: Any = None
    team_ids: Any = None
    human: Any = None
    category_codes: Any = None
    categories: list[str] = field(default_factory=list)
    category_codes_by_name: dict[str, int] = field(default_factory=dict)
    by_analysis: dict[int, int] = field(default_factory=dict)
    labelled: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rows = np.zeros((self.capacity, self.dimensions), dtype=np.float32)
        self.analysis_ids = np.full(self.capacity, -1, dtype=np.int64)
        self.labelled_ids = np.full(self.capacity, -1, dtype=np.int64)
        self.created_us = np.zeros(self.capacity, dtype=np.int64)
        self.team_ids = np.full(self.capacity, -1, dtype=np.int64)
        self.human = np.zeros(self.capacity, dtype=bool)
        self.category_codes = np.full(self.capacity, -1, dtype=np.int32)

    def grow_to(self, needed: int) -> None:
        if needed > self.capacity:
            # A quarter more than needed: at most a fifth of the memory unused, and few copies while tickets arrive.
            self.resize(needed + needed // 4)

    def resize(self, capacity: int) -> None:
        capacity = max(capacity, self.count, _INITIAL_CAPACITY)
        if capacity == self.capacity or self.dimensions == 0:
            return
        for name in ("rows", "analysis_ids", "labelled_ids", "created_us", "team_ids", "human", "category_codes"):
            old = getattr(self, name)
            new = np.empty((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)  # readers of the old arrays keep them: a search never sees a half copy
        self.capacity = capacity

    def category_code(self, category: str | None) -> int:
        if category is None:
            return -1
        code = self.category_codes_by_name.get(category)
        if code is None:
            code = self.category_codes_by_name[category] = len(self.categories)
            self.categories.append(category)
        return code

    def nbytes(self) -> int:
        arrays = (self.rows, self.analysis_ids, self.labelled_ids, self.created_us, self.team_ids, self.human)
        return sum(int(a.nbytes) for a in arrays) + int(self.category_codes.nbytes)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    count: int
    rows: Any
    analysis_ids: Any
    labelled_ids: Any
    created_us: Any
    team_ids: Any
    human: Any
    category_codes: Any
    categories: list[str]


@dataclass(slots=True)
class _Query:
    key: tuple[int, str]
    vector: Any
    k: int
    min_similarity: float
    exclude_analysis_id: int | None
    future: asyncio.Future[list[SimilarTicket]]
    loop: asyncio.AbstractEventLoop


class NumpyVectorIndex:
    """Implements VectorIndex; one per process."""

    def __init__(self, min_pass_interval_ms: float = 20.0) -> None:
        self._min_pass_interval_s = min_pass_interval_ms / 1000.0
        self._last_pass = 0.0
        self._shelves: dict[tuple[int, str], _Shelf] = {}
        self._lock = threading.Lock()
        self._queries: queue.SimpleQueue[_Query | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def loaded(self, company_id: int, model_version: str) -> bool:
        shelf = self._shelves.get((company_id, model_version))
        return shelf is not None and shelf.loaded

    def mark_loaded(self, company_id: int, model_version: str) -> None:
        with self._lock:
            shelf = self._shelves.get((company_id, model_version))
            if shelf is None:
                shelf = self._shelves[(company_id, model_version)] = _Shelf(dimensions=0, capacity=1)
            shelf.loaded = True
            shelf.resize(shelf.count + shelf.count // 16)  # loaded in chunks: room for what comes, not a quarter more

    def last_stored_id(self, company_id: int, model_version: str) -> int:
        shelf = self._shelves.get((company_id, model_version))
        return shelf.last_id if shelf is not None else 0

    def size(self, company_id: int, model_version: str) -> int:
        shelf = self._shelves.get((company_id, model_version))
        return shelf.count if shelf is not None else 0

    def memory_bytes(self) -> int:
        with self._lock:
            return sum(shelf.nbytes() for shelf in self._shelves.values())

    def forget(self, company_id: int, model_version: str) -> None:
        with self._lock:
            self._shelves.pop((company_id, model_version), None)

    async def add(self, company_id: int, model_version: str, vectors: Sequence[StoredVector]) -> None:
        if not vectors:
            return
        if len(vectors) <= _INLINE_ROWS:
            self._add((company_id, model_version), vectors)
        else:
            await asyncio.to_thread(self._add, (company_id, model_version), vectors)

    def label_analysis(self, company_id: int, analysis_id: int, category: str) -> None:
        """A person gave the analysis `category`: every version's row of it shows that label from now on."""
        with self._lock:
            for (company, _), shelf in self._shelves.items():
                row = shelf.by_analysis.get(analysis_id) if company == company_id else None
                if row is not None:
                    shelf.category_codes[row] = shelf.category_code(category)
                    shelf.human[row] = True

    async def search(
        self,
        company_id: int,
        model_version: str,
        vector: Vector,
        k: int,
        min_similarity: float,
        exclude_analysis_id: int | None = None,
    ) -> list[SimilarTicket]:
        if k <= 0 or self.size(company_id, model_version) == 0:
            return []
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[SimilarTicket]] = loop.create_future()
        query = np.asarray(vector, dtype=np.float32)
        self._ensure_thread()
        self._queries.put(
            _Query((company_id, model_version), query, k, min_similarity, exclude_analysis_id, future, loop)
        )
        return await future

    async def search_earlier(
        self, vectors: Sequence[StoredVector], k: int, min_similarity: float, searched_from: int = 0
    ) -> list[list[SimilarTicket]]:
        searched_from = max(searched_from, 0)
        if k <= 0 or len(vectors) < 2 or searched_from >= len(vectors):
            return [[] for _ in vectors[searched_from:]]
        if len(vectors) <= _INLINE_ROWS:
            return _earlier(vectors, k, min_similarity, searched_from)
        return await asyncio.to_thread(_earlier_off_the_loop, vectors, k, min_similarity, searched_from)

    def close(self) -> None:
        """Stops the search thread (searches submitted later start it again)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queries.put(_STOP)
            thread.join(timeout=5)

    # --- the search thread ---

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="similar-tickets", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        one_blas_thread()
        while True:
            first = self._queries.get()
            if first is _STOP:
                return
            wait = self._min_pass_interval_s - (time.monotonic() - self._last_pass)
            if wait > 0:
                time.sleep(wait)  # the queries arriving meanwhile join this pass
            self._last_pass = time.monotonic()
            batch = [first]
            while len(batch) < _MAX_QUERIES:
                try:
                    batch.append(self._queries.get_nowait())
                except queue.Empty:
                    break
            stop = any(item is _STOP for item in batch)
            queries = [item for item in batch if isinstance(item, _Query)]
            groups: dict[tuple[int, str], list[_Query]] = {}
            for query in queries:
                groups.setdefault(query.key, []).append(query)
            for key, group in groups.items():
                try:
                    answers = self._answer(key, group)
                except Exception as error:  # noqa: BLE001 - handed to every caller of the failed group
                    logger.exception("similar-ticket search failed")
                    for query in group:
                        query.loop.call_soon_threadsafe(_fail, query.future, error)
                    continue
                for query, answer in zip(group, answers, strict=True):
                    query.loop.call_soon_threadsafe(_resolve, query.future, answer)
            if stop:
                return

    def _answer(self, key: tuple[int, str], group: list[_Query]) -> list[list[SimilarTicket]]:
        snapshot = self._snapshot(key)
        if snapshot is None or snapshot.count == 0:
            return [[] for _ in group]
        queries = np.stack([query.vector for query in group])
        if queries.shape[1] != snapshot.rows.shape[1]:
            raise ValueError(f"a {queries.shape[1]}-dimensional query for {snapshot.rows.shape[1]}-dimensional rows")
        norms = np.linalg.norm(queries, axis=1, keepdims=True)
        queries = queries / np.where(norms > 0, norms, 1.0)
        # Rows times queries, not the other way round: with a few queries OpenBLAS multiplies a tall matrix by a
        # thin one at about the speed of one read of the rows, and the transposed order took up to twice as long.
        similarities = np.ascontiguousarray((snapshot.rows[: snapshot.count] @ queries.T).T)
        return [_top(snapshot, row, query) for row, query in zip(similarities, group, strict=True)]

    def _snapshot(self, key: tuple[int, str]) -> _Snapshot | None:
        with self._lock:
            shelf = self._shelves.get(key)
            if shelf is None:
                return None
            return _Snapshot(
                shelf.count,
                shelf.rows,
                shelf.analysis_ids,
                shelf.labelled_ids,
                shelf.created_us,
                shelf.team_ids,
                shelf.human,
                shelf.category_codes,
                list(shelf.categories),
            )

    # --- additions ---

    def _add(self, key: tuple[int, str], vectors: Sequence[StoredVector]) -> None:
        rows = _unit_rows(vectors)
        with self._lock:
            shelf = self._shelves.get(key)
            if shelf is None or shelf.count == 0 and shelf.dimensions != rows.shape[1]:
                loaded = shelf.loaded if shelf is not None else False
                shelf = self._shelves[key] = _Shelf(dimensions=rows.shape[1])
                shelf.loaded = loaded
            if rows.shape[1] != shelf.dimensions:
                raise ValueError(f"{rows.shape[1]}-dimensional vectors for {shelf.dimensions}-dimensional ones")
            fresh = [n for n, vector in enumerate(vectors) if not _held(shelf, vector)]
            shelf.grow_to(shelf.count + len(fresh))
            for n in fresh:
                vector, row = vectors[n], shelf.count
                shelf.rows[row] = rows[n]
                shelf.analysis_ids[row] = vector.analysis_id if vector.analysis_id is not None else -1
                shelf.labelled_ids[row] = vector.labelled_ticket_id if vector.labelled_ticket_id is not None else -1
                shelf.created_us[row] = (vector.created_at - _EPOCH) // timedelta(microseconds=1)
                shelf.team_ids[row] = vector.team_id if vector.team_id is not None else -1
                shelf.human[row] = vector.label_is_human
                shelf.category_codes[row] = shelf.category_code(vector.category)
                if vector.analysis_id is not None:
                    shelf.by_analysis[vector.analysis_id] = row
                else:
                    shelf.labelled.add(vector.labelled_ticket_id or 0)
                shelf.count += 1  # published last: a search reads only complete rows
            for vector in vectors:
                if vector.id is not None and vector.id > shelf.last_id:
                    shelf.last_id = vector.id


def _unit_rows(vectors: Sequence[StoredVector]) -> Any:
    """The stored fp16 vectors as unit float32 rows, the form every search compares."""
    if len({len(vector.vector) for vector in vectors}) > 1:
        raise ValueError("vectors of one key with different dimensions")
    raw = np.frombuffer(b"".join(vector.vector for vector in vectors), dtype="<f2")
    rows = raw.reshape(len(vectors), -1).astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    rows /= np.where(norms > 0, norms, 1.0)
    return rows


def _earlier_off_the_loop(
    vectors: Sequence[StoredVector], k: int, min_similarity: float, searched_from: int
) -> list[list[SimilarTicket]]:
    one_blas_thread()  # a thread of asyncio's pool, not the search thread: the limit may not be set yet
    return _earlier(vectors, k, min_similarity, searched_from)


def _earlier(
    vectors: Sequence[StoredVector], k: int, min_similarity: float, searched_from: int
) -> list[list[SimilarTicket]]:
    """`search_earlier`: in each space, the searched vectors compared with all of the space's vectors in one
    product, each keeping the closest of the ones before it."""
    found: list[list[SimilarTicket]] = [[] for _ in vectors]
    spaces: dict[tuple[int, str], list[int]] = {}
    for position, vector in enumerate(vectors):
        spaces.setdefault((vector.company_id, vector.model_version), []).append(position)
    for positions in spaces.values():
        searched = [local for local, position in enumerate(positions) if position >= searched_from and local > 0]
        if not searched:
            continue
        rows = _unit_rows([vectors[position] for position in positions])
        similarities = rows[searched] @ rows.T
        for row, later in enumerate(searched):
            before = similarities[row, :later]
            for earlier in np.argsort(-before, kind="stable")[:k]:  # stable: a tie goes to the earlier position
                similarity = float(before[earlier])
                if similarity < min_similarity:
                    break
                found[positions[later]].append(vectors[positions[int(earlier)]].found(similarity))
    return found[searched_from:]


def _held(shelf: _Shelf, vector: StoredVector) -> bool:
    if vector.analysis_id is not None:
        return vector.analysis_id in shelf.by_analysis
    return (vector.labelled_ticket_id or 0) in shelf.labelled


def _top(snapshot: _Snapshot, similarities: Any, query: _Query) -> list[SimilarTicket]:
    # Only rows at the minimum similarity or above can be shown: usually a few of the company's tickets, so the
    # partial sort runs over those instead of every row.
    candidates = np.flatnonzero(similarities >= query.min_similarity)
    wanted = min(query.k + (query.exclude_analysis_id is not None), len(candidates))
    if wanted < len(candidates):
        candidates = candidates[np.argpartition(-similarities[candidates], wanted - 1)[:wanted]]
    ranked = sorted(
        (int(row) for row in candidates),
        key=lambda row: (-float(similarities[row]), int(snapshot.created_us[row])),
    )
    found: list[SimilarTicket] = []
    for row in ranked:
        similarity = float(similarities[row])
        analysis_id = int(snapshot.analysis_ids[row])
        if similarity < query.min_similarity or len(found) == query.k:
            break
        if analysis_id >= 0 and analysis_id == query.exclude_analysis_id:
            continue
        labelled_id = int(snapshot.labelled_ids[row])
        team_id = int(snapshot.team_ids[row])
        code = int(snapshot.category_codes[row])
        found.append(
            SimilarTicket(
                similarity=min(similarity, 1.0),
                created_at=_EPOCH + timedelta(microseconds=int(snapshot.created_us[row])),
                analysis_id=analysis_id if analysis_id >= 0 else None,
                labelled_ticket_id=labelled_id if labelled_id >= 0 else None,
                category=snapshot.categories[code] if code >= 0 else None,
                category_is_human_label=bool(snapshot.human[row]),
                team_id=team_id if team_id >= 0 else None,
            )
        )
    return found


def _resolve(future: asyncio.Future[list[SimilarTicket]], answer: list[SimilarTicket]) -> None:
    if not future.done():
        future.set_result(answer)


def _fail(future: asyncio.Future[list[SimilarTicket]], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)

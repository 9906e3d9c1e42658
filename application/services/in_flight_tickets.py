"""The tickets of this process whose similar tickets were searched but which are not yet in the index.

Why: two requests of one company in flight together (an outage, the platform sending the same ticket many times at
once) search the index before either is added to it, so neither would see the other. Each request registers its
tickets (`Flight.take_off`) just before its search and notes the requests of its company registered before it;
once recorded it hands over its stored rows (`Flight.land`) and, with its own rows stored too, takes the earlier
ones' rows (`Flight.earlier`) to be compared with as if they had been stored first. A request leaves the registry
when it ends (`Flight.end`, after its rows were added to the index, or when it failed), so the registry holds only
the requests in flight and a failed one releases whoever waits for it at once.

One event loop serves a process's requests: a plain dict and futures suffice. Other processes' tickets are seen
through the index refresh, not here.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from domain.similar_tickets import StoredVector

_Rows = asyncio.Future[list[StoredVector]]

EARLIER_TICKETS = 64
"""The most recent earlier tickets in flight a ticket is compared with: one earlier repeat is enough to mark a ticket
as a possible duplicate, and the comparison grows with the square of the tickets compared."""

EARLIER_WAIT_SECONDS = 1.0
"""How long a recorded ticket waits for the earlier requests' rows. They searched first, so they are recorded in the
same group commit as its own or the next one: there at once or after one more commit. The bound only keeps a
request stuck elsewhere (a hung database call) from holding others up: one not there by then is skipped, which costs
a missed neighbour, never an answer."""


class InFlightTickets:
    """One per process (beside the index it stands in for): per company, the requests registered and not ended, in
    the order they registered."""

    def __init__(self) -> None:
        self._flying: dict[int, dict[int, _Rows]] = {}
        self._numbers = itertools.count()

    @contextmanager
    def flight(self, company_id: int) -> Iterator[Flight]:
        """A request of the company answering similar tickets; it has left the registry when the block ends."""
        flight = Flight(self, company_id)
        try:
            yield flight
        finally:
            flight.end()

    def count(self) -> int:
        """Requests registered and not ended, all companies together."""
        return sum(len(flights) for flights in self._flying.values())

    def _register(self, company_id: int) -> tuple[int, _Rows, list[_Rows]]:
        """A number and a future for a new request, and the futures of the requests registered before it (each has
        a ticket at least, so the most recent `EARLIER_TICKETS` of them are enough)."""
        loop = asyncio.get_running_loop()
        flights = self._flying.setdefault(company_id, {})
        earlier = [future for future in flights.values() if future.get_loop() is loop][-EARLIER_TICKETS:]
        number = next(self._numbers)
        future: _Rows = loop.create_future()
        flights[number] = future
        return number, future, earlier

    def _unregister(self, company_id: int, number: int) -> None:
        flights = self._flying.get(company_id)
        if flights is None:
            return
        flights.pop(number, None)
        if not flights:
            del self._flying[company_id]


class Flight:
    """One request's place in `InFlightTickets`: registered by `take_off`, its rows handed over by `land`."""

    def __init__(self, registry: InFlightTickets, company_id: int) -> None:
        self._registry = registry
        self._company_id = company_id
        self._number: int | None = None
        self._future: _Rows | None = None
        self._earlier: list[_Rows] = []

    def take_off(self) -> None:
        """Registers the request (once) and notes the requests of its company registered before it."""
        if self._number is None:
            self._number, self._future, self._earlier = self._registry._register(self._company_id)

    def land(self, rows: Sequence[StoredVector]) -> None:
        """The request's tickets as stored (committed): what the later requests compare with."""
        if self._future is not None and not self._future.done():
            self._future.set_result(list(rows))

    async def earlier(self) -> list[StoredVector]:
        """The stored rows of the earlier requests (the most recent `EARLIER_TICKETS`), in the order they registered,
        leaving out those that failed or were not stored within `EARLIER_WAIT_SECONDS`. Call it after `land`, so no
        two requests wait for each other. Nothing to wait for when none was in flight."""
        if not self._earlier:
            return []
        pending = [future for future in self._earlier if not future.done()]
        if pending:
            await asyncio.wait(pending, timeout=EARLIER_WAIT_SECONDS)
        rows = [row for future in self._earlier if future.done() and not future.cancelled() for row in future.result()]
        return rows[-EARLIER_TICKETS:]

    def end(self) -> None:
        """Leaves the registry; a request that never landed releases whoever waits for it."""
        if self._number is None:
            return
        if self._future is not None and not self._future.done():
            self._future.cancel()
        self._registry._unregister(self._company_id, self._number)
        self._earlier = []

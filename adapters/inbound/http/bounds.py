"""The bounds of every integer a caller can send, checked at the edge before any number reaches a store.

Row keys are signed 64-bit at most (SQLite INTEGER, MariaDB BIGINT): a larger id cannot name a row, and a driver
handed one fails (SQLite raises OverflowError), which would answer 500. Ids are positive, so zero or a negative
id is a 400 naming the parameter, not a lookup. These annotated types carry the bounds both to validation and to
the OpenAPI document, so /schema says what is accepted.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter
from msgspec import Meta

MAX_KEY = 2**63 - 1
"""The largest row id any store can hold."""

MAX_TEAM_KEY = 2**31 - 1
"""Teams have 32-bit keys (MariaDB INT), so a larger team id names no team; a labelled ticket stores the id it is
given in a 32-bit column, where a larger one would make the insert fail instead of answering 400."""

MAX_OFFSET = MAX_KEY
"""Offsets go to SQL's OFFSET, a signed 64-bit number in both stores."""

MAX_PAGE = 500
"""The most items one list answer holds (`limit`)."""


def _exactly(low: int, high: int) -> dict[str, int]:
    """The bounds as /schema shows them. Litestar writes `ge`/`le` as floats, and float(2**63 - 1) is 2**63: one
    more than accepted. Its `schema_extra` (from msgspec's `extra_json_schema["extra"]`) puts the integers back."""
    return {"minimum": low, "maximum": high}


def bounded_query(low: int, high: int, description: str) -> QueryParameter:
    """A query parameter accepting only integers from `low` to `high`."""
    return QueryParameter(ge=low, le=high, description=description, schema_extra=_exactly(low, high))


Key = Annotated[int, Meta(ge=1, le=MAX_KEY, extra_json_schema={"extra": _exactly(1, MAX_KEY)})]
"""A row id inside a request body."""

TeamKey = Annotated[int, Meta(ge=1, le=MAX_TEAM_KEY, extra_json_schema={"extra": _exactly(1, MAX_TEAM_KEY)})]
"""A team id inside a request body."""

PathKey = Annotated[
    int, PathParameter(ge=1, le=MAX_KEY, description="A positive id.", schema_extra=_exactly(1, MAX_KEY))
]
"""A row id in the path, e.g. /api/companies/{company_id}."""

"""Reading back JSON this service stored, written by this code or by an older version of it.

A missing value, or one of the wrong type, reads as None. A record that needs a value raises `Unreadable`, and
the record holding it reads that whole part as None ("not measured", `part`), so a reader never shows a figure
made up from half an entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

JsonObject = Mapping[str, object]


class Unreadable(ValueError):
    """A stored JSON value is not what the record reading it needs."""


def part(read: Callable[[JsonObject], T], value: object) -> T | None:
    """`read` of an object, or None when the value is missing or `read` cannot make sense of it."""
    if not isinstance(value, Mapping):
        return None
    try:
        return read(value)
    except Unreadable:
        return None


def number(value: object) -> float | None:
    """A finite number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def count(value: object) -> int | None:
    """A whole number >= 0 (not a boolean)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def required(value: T | None, name: str) -> T:
    if value is None:
        raise Unreadable(f"{name} is missing or of the wrong type")
    return value


def obj(value: object, name: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise Unreadable(f"{name} is not an object")
    return value


def array(value: object, name: str) -> Sequence[object]:
    if not isinstance(value, list | tuple):
        raise Unreadable(f"{name} is not an array")
    return value

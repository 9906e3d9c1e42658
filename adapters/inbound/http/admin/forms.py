"""Reading HTML forms and query strings into typed values, with errors keyed by the field they belong to."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapters.inbound.http.bounds import MAX_KEY, MAX_OFFSET
from domain.errors import InvalidInput


class FieldErrors(dict[str, str]):
    """Field name to message, shown next to the field; collected so a form reports all its problems at once."""

    def add(self, error: InvalidInput) -> None:
        self.setdefault(error.field, error.message)


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def checkbox(form: Mapping[str, Any], name: str) -> bool:
    """An unticked checkbox is simply absent from the submitted form."""
    return name in form


def optional_int(form: Mapping[str, Any], name: str, maximum: int = MAX_KEY) -> int | None:
    """A positive whole number up to `maximum` (an id by default: larger ones name no row and overflow a store)."""
    raw = text(form, name)
    if not raw:
        return None
    sign, digits = (raw[0], raw[1:]) if raw[0] in "+-" else ("+", raw)
    value = _whole_number(digits)
    if value is None:
        raise InvalidInput(name, "must be a whole number")
    if sign == "-" or value == 0:
        raise InvalidInput(name, "must be a positive number")
    if value > maximum:
        raise InvalidInput(name, f"must be at most {maximum}")
    return value


def optional_choice(form: Mapping[str, Any], name: str, choices: Mapping[str, Any]) -> Any:
    """The value of the choice picked (by its key); None when empty."""
    raw = text(form, name)
    if not raw:
        return None
    if raw not in choices:
        raise InvalidInput(name, f"must be one of {', '.join(choices)}")
    return choices[raw]


def choice(form: Mapping[str, Any], name: str, choices: Mapping[str, Any]) -> Any:
    """The value of the choice picked (by its key), which must be there."""
    picked = optional_choice(form, name, choices)
    if picked is None:
        raise InvalidInput(name, f"must be one of {', '.join(choices)}")
    return picked


def raw_text(form: Mapping[str, Any], name: str) -> str:
    """The field exactly as typed (a password: its blanks are part of it); empty when absent or not text."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def optional_number(form: Mapping[str, Any], name: str) -> float | None:
    """A finite decimal number such as 0.95 (a comma is read as the decimal point); None when empty."""
    raw = text(form, name).replace(",", ".")
    if not raw:
        return None
    if len(raw) > 32 or not raw.isascii():
        raise InvalidInput(name, "must be a number like 0.95")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(name, "must be a number like 0.95") from None
    if not math.isfinite(value):
        raise InvalidInput(name, "must be a number like 0.95")
    return value


def optional_day(form: Mapping[str, Any], name: str, end_of_day: bool = False) -> datetime | None:
    """A YYYY-MM-DD day as a UTC instant: its start, or with `end_of_day` the start of the next day."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(name, "must be a date like 2026-01-31") from None
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start + timedelta(days=1) if end_of_day else start


def page_number(form: Mapping[str, Any], page_size: int, name: str = "page") -> int:
    """The page asked for; 1 when absent or not a number. A page whose first row lies beyond any store's reach
    (its offset would overflow SQL's 64-bit OFFSET) is InvalidInput, shown as the error page with 400."""
    number = _whole_number(text(form, name))
    if not number:
        return 1
    last = MAX_OFFSET // page_size + 1
    if number > last:
        raise InvalidInput(name, f"must be at most {last}")
    return number


def _whole_number(raw: str) -> int | None:
    """ASCII digits as an int, else None. isdigit alone would let "²" through, which int() refuses; a number too
    long for int() (over 4,300 digits) reads as one past every bound."""
    if not raw.isascii() or not raw.isdigit():
        return None
    try:
        return int(raw)
    except ValueError:
        return MAX_KEY + 1

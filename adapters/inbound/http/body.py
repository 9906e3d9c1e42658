"""Decoding request bodies ourselves, so every malformed body gets one clear error that names its field."""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from domain.errors import InvalidInput

S = TypeVar("S", bound=msgspec.Struct)
_PATH = re.compile(r"at `\$\.?([^`\[]*)")


def decode_body(raw: bytes, struct: type[S]) -> S:
    if not raw.strip():
        raise InvalidInput("body", "must be a JSON object")
    try:
        return msgspec.json.decode(raw, type=struct)
    except msgspec.ValidationError as error:
        message = str(error)
        match = _PATH.search(message)
        field = match.group(1) if match and match.group(1) else "body"
        raise InvalidInput(field, message.split(" - at ")[0]) from None
    except msgspec.DecodeError:
        raise InvalidInput("body", "must be valid JSON") from None


def decode_json(raw: bytes) -> object:
    """For bodies whose shape varies (one item or a batch): plain JSON, shape checked by the caller."""
    if not raw.strip():
        raise InvalidInput("body", "must be a JSON object")
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise InvalidInput("body", "must be valid JSON") from None


def require_bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(field, "must be true or false")
    return value


def given(value: object) -> bool:
    return value is not msgspec.UNSET


def value_or_none(value: object) -> object:
    """A missing field reads as None, which the domain's validation reports as required."""
    return None if value is msgspec.UNSET else value

"""Request bodies decoded strictly, straight into the type the handler declares as `data`.

Litestar alone would decode the JSON untyped and convert it leniently afterwards ("1" becoming 1, "true" becoming
True), and lets a body that is not UTF-8 or that nests a thousand levels deep escape as UnicodeDecodeError or
RecursionError, a 500. `TypedJsonRequest` decodes the raw bytes once into the handler's `data` type, so every body
that cannot be read is `InvalidInput` - a 400 naming the field, in the API's words (see `field_errors`).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.types import Empty

from adapters.inbound.http.field_errors import field_error
from domain.errors import InvalidInput


def decode_body(raw: bytes, body_type: Any) -> Any:
    """`raw` as a `body_type`; raises InvalidInput naming the field for anything else."""
    if not raw.strip():
        raise InvalidInput("body", "must be a JSON object")
    try:
        # msgspec checks the UTF-8 of the strings it keeps, not of the unknown fields it skips.
        raw.decode("utf-8")
        return _typed(raw, body_type)
    except msgspec.ValidationError as error:  # before DecodeError, its base class
        raise InvalidInput(*field_error(error, body_type)) from None
    except msgspec.DecodeError:
        raise InvalidInput("body", "must be valid JSON") from None
    except UnicodeDecodeError:
        raise InvalidInput("body", "must be UTF-8 encoded JSON") from None
    except RecursionError:
        # msgspec refuses nesting deeper than the interpreter's recursion limit; such a body is never legitimate.
        raise InvalidInput("body", "is nested too deeply") from None


def _typed(raw: bytes, body_type: Any) -> Any:
    """Strict decoding, except that a whole number written with a fraction (`3.0`) counts as an integer: JSON does
    not tell the two apart, nor does the `integer` of JSON Schema, which /schema speaks. msgspec refuses `3.0` for
    an `int`, so only a body it refused is read again, with its whole numbers as ints."""
    try:
        return msgspec.json.decode(raw, type=body_type)
    except msgspec.ValidationError:
        value, changed = _whole_numbers_as_ints(msgspec.json.decode(raw))
        if not changed:
            raise
        return msgspec.convert(value, type=body_type, strict=True)


def _whole_numbers_as_ints(value: Any) -> tuple[Any, bool]:
    """`value` with every float that is a whole number made an int, and whether any was."""
    if isinstance(value, float) and value.is_integer():
        return int(value), True
    if isinstance(value, list):
        items = [_whole_numbers_as_ints(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        entries = {key: _whole_numbers_as_ints(item) for key, item in value.items()}
        return {key: item for key, (item, _) in entries.items()}, any(changed for _, changed in entries.values())
    return value, False


class TypedJsonRequest(Request[Any, Any, Any]):
    """The request class of the app: `json()` answers the handler's typed `data`, decoded by `decode_body`.

    Litestar calls `json()` only for a non-empty body of a handler that takes `data`; converting the result to
    the signature's type again then passes the already typed value through unchanged.
    """

    async def json(self) -> Any:
        if self._json is Empty:
            data_field = self.route_handler.parsed_data_field
            self._json = decode_body(await self.body(), data_field.annotation if data_field else Any)
        return self._json

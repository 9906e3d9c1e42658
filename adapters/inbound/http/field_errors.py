"""msgspec's validation messages said the API's way: the field's name as the caller wrote it, and a plain rule.

msgspec reports "Expected `int` >= 1 - at `$.tickets[0].team_id`"; the API answers field `tickets[0].team_id`
with "must be a positive integer", in the words the domain uses for its own rules, so a caller sees one style
whichever layer refused the value.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import msgspec

_AT = re.compile(r"^(?P<rule>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`$")
_EXPECTED = re.compile(r"^Expected `(?P<types>[^`]+)`(?:, got `[^`]+`)?$")
_BOUND = re.compile(r"^Expected `(?P<type>[^`]+)`(?P<length> of length)? (?P<op>[<>]=?) (?P<limit>-?[\d.]+)$")
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")

_KINDS = {
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "bool": "true or false",
    "object": "a JSON object",
    "array": "a list",
    "null": "null",
}


def field_error(error: msgspec.ValidationError, body_type: Any = None, root: str = "body") -> tuple[str, str]:
    """(field, message) for one msgspec error; `body_type` lets an enum error list the allowed values."""
    match = _AT.match(str(error))
    rule, path = (match.group("rule"), match.group("path") or "") if match else (str(error), "")
    missing = _MISSING.match(rule)
    if missing:
        return _join(path, missing.group("name")) or root, "is required"
    field = _join(path) or root
    if rule.startswith("Invalid enum value"):
        values = _allowed_values(body_type, path)
        return field, f"must be one of {', '.join(values)}" if values else "is not one of the allowed values"
    return field, rule_message(rule)


def rule_message(rule: str) -> str:
    """A msgspec rule ("Expected `int` <= 500", "Expected `str`, got `int`") in the API's words."""
    bound = _BOUND.match(rule)
    if bound:
        return _bound_message(bound.group("type"), bool(bound.group("length")), bound.group("op"), bound.group("limit"))
    expected = _EXPECTED.match(rule)
    if expected:
        kinds = [_KINDS.get(kind.strip(), kind.strip()) for kind in expected.group("types").split("|")]
        return "must be " + " or ".join(kinds)
    return rule[:1].lower() + rule[1:]


def _bound_message(kind: str, length: bool, op: str, limit: str) -> str:
    if length:
        unit = ("item" if kind == "array" else "character") + ("" if limit == "1" else "s")
        return f"must contain at least {limit} {unit}" if ">" in op else f"must be at most {limit} {unit}"
    if op == ">=" and limit == "1" and kind == "int":
        return "must be a positive integer"
    words = {">=": "at least", ">": "greater than", "<=": "at most", "<": "less than"}
    return f"must be {words[op]} {limit}"


def _join(path: str, name: str | None = None) -> str:
    """`$.tickets[0].text` is written `tickets[0].text`, as the caller would name it."""
    field = path.lstrip(".")
    if name is not None:
        field = f"{field}.{name}" if field else name
    return field


def _allowed_values(body_type: Any, path: str) -> list[str]:
    """Follows `path` through the body's type to the enum or literal it ends on."""
    if body_type is None:
        return []
    node: Any = msgspec.inspect.type_info(body_type)
    try:
        for name, index in _STEP.findall(path):
            node = _unwrap(node)
            if index:
                node = node.item_type
            else:
                node = next(field.type for field in node.fields if field.encode_name == name)
    except (AttributeError, StopIteration):
        return []
    node = _unwrap(node)
    if isinstance(node, msgspec.inspect.EnumType):
        return [str(member.value) if isinstance(member, enum.Enum) else str(member) for member in node.cls]
    if isinstance(node, msgspec.inspect.LiteralType):
        return [str(value) for value in node.values]
    return []


def _unwrap(node: Any) -> Any:
    """Looks through Optional[...] and Meta wrappers to the one type that matters."""
    while True:
        if isinstance(node, msgspec.inspect.Metadata):
            node = node.type
        elif isinstance(node, msgspec.inspect.UnionType):
            kinds = [t for t in node.types if not isinstance(t, msgspec.inspect.NoneType)]
            if len(kinds) != 1:
                return node
            node = kinds[0]
        else:
            return node

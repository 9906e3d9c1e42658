"""CSV cells that a spreadsheet program cannot run: the OWASP rule against CSV (formula) injection.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return opens as a formula in Excel or LibreOffice
(`=cmd|' /C calc'!A0`). `neutralise` prefixes such a cell with a single quote, which makes it text. A cell that
already starts with a quote gets one too, so the rule is reversible: `restore` drops exactly one leading quote,
and `restore(neutralise(x)) == x` for every string.
"""

from __future__ import annotations

QUOTE = "'"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The cell to write for `value`: strings made safe, other values (numbers, None) unchanged."""
    if isinstance(value, str) and value.startswith((*_FORMULA_STARTS, QUOTE)):
        return QUOTE + value
    return value


def restore(cell: str) -> str:
    """The original string of a cell `neutralise` wrote (for tooling that reads the CSV export back)."""
    return cell[1:] if cell.startswith(QUOTE) else cell

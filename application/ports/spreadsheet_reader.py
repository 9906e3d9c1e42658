from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

Cell = str | int | float | bool | None
"""A cell's value as found: a workbook cell may hold a number or a truth value; the domain judges whether it is
text."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    """1-based row number as a spreadsheet program shows it (the header is row 1)."""
    text: Cell
    label: Cell


class SpreadsheetReader(Protocol):
    """Reads labelled rows from an XLSX or CSV file.

    Contract: returns every non-blank data row with the two named columns, cell values as found (text is not
    stripped); a row whose two cells are both empty is skipped. Raises `domain.errors.InvalidInput` naming the file
    and the problem when the file cannot be read as asked: not a spreadsheet, empty, no data rows, missing sheet,
    missing column, or over the reader's limits (unpacked size, number of rows). A file over a limit is refused
    before it is read whole, and memory stays bounded by those limits. Never blocks the event loop.
    """

    async def read(self, path: str, text_column: str, label_column: str, sheet: str | None) -> list[SheetRow]: ...

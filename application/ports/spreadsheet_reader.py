from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    """1-based row number as a spreadsheet program shows it (the header is row 1)."""
    text: object
    label: object


class SpreadsheetReader(Protocol):
    """Reads labelled rows from an XLSX or CSV file.

    Contract: returns every data row with the two named columns; raises `domain.errors.InvalidInput` naming
    the problem (not a spreadsheet, missing sheet, missing column) when the file cannot be read as asked.
    """

    def read(self, path: str, text_column: str, label_column: str, sheet: str | None) -> list[SheetRow]: ...

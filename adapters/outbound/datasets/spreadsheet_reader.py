"""Labelled rows from an XLSX or CSV file: the seed's `Document` / `Topic_group` format, read within limits."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from adapters.outbound.datasets.csv_rows import CsvRows
from adapters.outbound.datasets.import_limits import ImportLimits
from adapters.outbound.datasets.xlsx_rows import XlsxRows
from application.ports.spreadsheet_reader import Cell, SheetRow
from domain.errors import InvalidInput

_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
MAX_TITLES_SHOWN = 20


class SpreadsheetFileReader:
    """Reads XLSX (`xlsx_rows`) or CSV (`csv_rows`), streamed, in a worker thread (see the port's contract).

    A file over `limits` is refused without being read whole: an XLSX by its zip directory before anything is
    unpacked, a CSV by its size, and either by its rows as soon as a row numbered past `max_rows` + 1 (the header is
    row 1) is reached; blank rows count, as they cost reading too.
    """

    def __init__(self, limits: ImportLimits) -> None:
        self._limits = limits

    async def read(self, path: str, text_column: str, label_column: str, sheet: str | None) -> list[SheetRow]:
        # Parsing a large workbook takes seconds of CPU: never on the event loop.
        return await asyncio.to_thread(self.read_blocking, path, text_column, label_column, sheet)

    def read_blocking(self, path: str, text_column: str, label_column: str, sheet: str | None) -> list[SheetRow]:
        """The same read, in the calling thread (for callers that are threads already)."""
        file = Path(path)
        if not file.is_file():
            raise InvalidInput("file", f"{path} does not exist")
        limits = self._limits
        try:
            if file.suffix.lower() in _EXCEL_SUFFIXES:
                source: XlsxRows | CsvRows = XlsxRows(file, sheet, limits.max_unpacked_bytes)
            elif sheet is not None:
                raise InvalidInput("sheet", "only XLSX workbooks have sheets; this is a CSV file")
            else:
                source = CsvRows(file, limits.max_unpacked_bytes)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise InvalidInput("file", f"{file.name} cannot be read ({reason})") from None
        with source:
            rows = self._rows(file.name, source, text_column, label_column)
        # A row with both cells empty is spacing, not a ticket.
        rows = [row for row in rows if not (_blank(row.text) and _blank(row.label))]
        if not rows:
            raise InvalidInput("file", f"{file.name} has a header row but no data rows")
        return rows

    def _rows(self, name: str, source: XlsxRows | CsvRows, text_column: str, label_column: str) -> list[SheetRow]:
        header = source.header()
        if header is None:
            raise InvalidInput("file", f"{name} is empty: it has no header row")
        text_at, label_at = _column_positions(name, header, text_column, label_column)
        found: list[tuple[int, object, object]] = []
        last_row = self._limits.max_rows + 1
        for number, cells in source.data_rows(max(text_at, label_at) + 1, last_row):
            if number > last_row:
                raise InvalidInput(
                    "file",
                    f"{name} has more than {self._limits.max_rows:,} data rows, the import limit (reading "
                    f"stopped at row {number:,}); split it into smaller files",
                )
            found.append((number, _cell(cells, text_at), _cell(cells, label_at)))
        # XLSX cells may refer to shared strings: looked up for all the rows at once, in one pass.
        values = iter(source.resolved([value for _, text, label in found for value in (text, label)]))
        return [
            SheetRow(number, _as_cell(text), _as_cell(label))
            for (number, _, _), text, label in zip(found, values, values, strict=False)
        ]


def _column_positions(name: str, header: Sequence[object], *columns: str) -> tuple[int, int]:
    titles = ["" if cell is None else str(cell).strip() for cell in header]
    missing = [column for column in columns if column.strip() not in titles]
    if missing:
        present = [title for title in titles if title]
        found = ", ".join(present[:MAX_TITLES_SHOWN]) + (", ..." if len(present) > MAX_TITLES_SHOWN else "") or "none"
        raise InvalidInput("file", f"{name} is missing column(s) {', '.join(missing)}; its header has: {found}")
    text_at, label_at = (titles.index(column.strip()) for column in columns)
    return text_at, label_at


def _cell(cells: Sequence[object], position: int) -> object:
    return cells[position] if position < len(cells) else None


def _as_cell(value: object) -> Cell:
    """A value as the port types a cell; anything else (no source yields one today) as its text."""
    return value if value is None or isinstance(value, str | int | float) else str(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())

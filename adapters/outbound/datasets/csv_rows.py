"""The records of a CSV file, streamed by the csv module: memory holds one record at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Self, TextIO

from adapters.outbound.datasets.import_limits import mib
from domain.errors import InvalidInput


class CsvRows:
    """A UTF-8 CSV file (a byte-order mark is allowed): its header record, then its data records.

    Raises `InvalidInput` naming the file when it is over `max_bytes`, not UTF-8, or not valid CSV. A record
    counts as a row, so row numbers are what a spreadsheet program shows. Use as a context manager.
    """

    def __init__(self, file: Path, max_bytes: int) -> None:
        size = file.stat().st_size
        if size > max_bytes:
            raise InvalidInput("file", f"{file.name} is {mib(size)}, over the import limit of {mib(max_bytes)}")
        self._name = file.name
        self._handle: TextIO = file.open(newline="", encoding="utf-8-sig")
        self._records = csv.reader(self._handle)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def header(self) -> Sequence[object] | None:
        """The first record, or None for an empty file."""
        return next(self._checked(), None)

    def data_rows(self, width: int, last_row: int) -> Iterator[tuple[int, Sequence[object]]]:
        """(row number, record) for the records after the header; the first one past `last_row` ends them.

        `width` is for XLSX: a record is as short as its line already.
        """
        return enumerate(islice(self._checked(), last_row), start=2)

    def resolved(self, values: Sequence[object]) -> list[object]:
        """`values` as they are: a CSV has no references to resolve (the XLSX source's shared strings)."""
        return list(values)

    def _checked(self) -> Iterator[Sequence[object]]:
        try:
            yield from self._records
        except UnicodeDecodeError:
            raise InvalidInput("file", f"{self._name} is not UTF-8 text; is it a spreadsheet?") from None
        except csv.Error as error:
            line = self._records.line_num
            raise InvalidInput("file", f"{self._name} is not a valid CSV file (line {line}: {error})") from None

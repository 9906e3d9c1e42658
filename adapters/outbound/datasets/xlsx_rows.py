"""The rows of one XLSX sheet, streamed with bounded memory, after the zip directory passed the size limit.

openpyxl reads the workbook's small parts (content types, sheet names), but neither the sheet nor the shared strings:
its read-only worksheet parses a whole sheet that lacks a `<dimension>` just to size it, and it loads every shared
string up front (what that costs: the README's "Figures behind choices in the code"). Here the sheet is parsed
element by element and each one is dropped once read, and only the shared strings the read rows refer to are kept,
read in one streamed pass that stops at the last one needed. Memory holds one cell at a time, the rows read and their
strings.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Self

from adapters.outbound.datasets.import_limits import mib
from domain.errors import InvalidInput

# What Excel and openpyxl write; any other method (bzip2, lzma) could inflate far past a read's size in one call.
_COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN, _ITEM = (f"{_NS}{tag}" for tag in ("row", "c", "v", "is", "t", "r", "si"))
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
Row = tuple[int, Sequence[object]]


def check_unpacked_size(file: Path, max_unpacked_bytes: int) -> None:
    """Refuses a workbook whose members unpack to more than `max_unpacked_bytes`, reading only the zip directory.

    The declared sizes are a true bound: Python's zipfile never inflates a member past its declared size (a member
    that holds more fails its CRC check), so nothing can unpack more than this sum.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InvalidInput("file", f"{file.name} is not a readable XLSX workbook (not a zip archive)") from None
    if any(member.compress_type not in _COMPRESSIONS for member in members):
        raise InvalidInput("file", f"{file.name} is not a readable XLSX workbook (unsupported zip compression)")
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_unpacked_bytes:
        raise InvalidInput(
            "file", f"{file.name} unpacks to {mib(unpacked)}, over the import limit of {mib(max_unpacked_bytes)}"
        )


class XlsxRows:
    """One sheet of a workbook: its header row, then its data rows, parsed as they are consumed.

    Raises `InvalidInput` naming the file for anything that cannot be parsed. Use as a context manager.
    """

    def __init__(self, file: Path, sheet: str | None, max_unpacked_bytes: int) -> None:
        check_unpacked_size(file, max_unpacked_bytes)
        self._name = file.name
        reader, sheets = self._open(file)
        self._archive: zipfile.ZipFile = reader.archive
        strings = reader.package.find(_SHARED_STRINGS_TYPE)
        self._strings_part: str | None = strings.PartName[1:] if strings is not None else None
        chosen = sheet or next(iter(sheets), "")
        if chosen not in sheets:
            self._archive.close()
            raise InvalidInput("sheet", f"no sheet named {chosen!r}; {file.name} has: {', '.join(sheets) or 'none'}")
        self._source: IO[bytes] = self._archive.open(sheets[chosen])
        self._rows = self._parsed(_sheet_rows(self._source))
        self._width: int | None = None
        self._pending: Row | None = None

    def _open(self, file: Path) -> tuple[Any, dict[str, str]]:
        from openpyxl.reader.excel import ExcelReader

        try:
            reader = ExcelReader(str(file), read_only=True, data_only=True, keep_links=False)
            reader.read_manifest()
            reader.read_workbook()
            sheets = {
                sheet.name: rel.target
                for sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            }
        except Exception as error:  # noqa: BLE001 - any parse failure means "not a spreadsheet"
            raise _unreadable(file.name, error) from None
        return reader, sheets

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._source.close()
        self._archive.close()

    def header(self) -> Sequence[object] | None:
        """Row 1's values (empty when row 1 is missing), or None for a sheet without rows."""
        first = next(self._rows, None)
        if first is None:
            return None
        number, cells = first
        if number != 1:
            self._pending = first
            return ()
        return self.resolved(cells)

    def data_rows(self, width: int, last_row: int) -> Iterator[Row]:
        """(row number, its first `width` cells) for rows 2 onwards; the first row past `last_row` ends them."""
        self._width = width
        rows = self._rows if self._pending is None else _chain(self._pending, self._rows)
        for number, cells in rows:
            yield number, cells[:width]
            if number > last_row:
                return

    def resolved(self, values: Sequence[object]) -> list[object]:
        """`values` with each shared-string reference replaced by its text."""
        wanted = {value for value in values if isinstance(value, SharedString)}
        if not wanted:
            return list(values)
        if self._strings_part is None:
            raise _unreadable(self._name, KeyError("sharedStrings"))
        try:
            with self._archive.open(self._strings_part) as source:
                texts = _shared_strings(source, wanted)
        except Exception as error:  # noqa: BLE001 - a malformed part is the uploader's problem, never a 5xx
            raise _unreadable(self._name, error) from None
        return [texts[value] if isinstance(value, SharedString) else value for value in values]

    def _parsed(self, rows: Iterator[tuple[int, dict[int, object]]]) -> Iterator[Row]:
        try:
            for number, values in rows:
                width = self._width if self._width is not None else max(values, default=0)
                yield number, [values.get(column) for column in range(1, width + 1)]
        except Exception as error:  # noqa: BLE001 - a malformed sheet is the uploader's problem, never a 5xx
            raise _unreadable(self._name, error) from None


def _unreadable(name: str, error: Exception) -> InvalidInput:
    return InvalidInput("file", f"{name} is not a readable XLSX workbook ({type(error).__name__})")


def _chain(first: Row, rest: Iterator[Row]) -> Iterator[Row]:
    yield first
    yield from rest


class SharedString(int):
    """A cell's index into the shared strings, replaced by the text in `XlsxRows.resolved`."""


def _shared_strings(source: IO[bytes], wanted: set[SharedString]) -> dict[int, str]:
    """The texts at the `wanted` indexes of a shared-strings part, streamed; stops after the last one wanted."""
    from openpyxl.xml.functions import iterparse

    last, index, texts = max(wanted), 0, {}
    stack: list[Any] = []
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            stack.append(element)
            continue
        stack.pop()
        if element.tag != _ITEM:
            continue  # its parts are read when the item ends
        if index in wanted:
            texts[index] = _text(element)
        if index == last:
            return texts
        index += 1
        if stack:
            stack[-1].remove(element)
    raise ValueError(f"shared string {last} missing")


def _text(node: Any) -> str:
    """The text of an inline string or shared-string item: plain, or rich-text runs; phonetic hints (<rPh>) left out."""
    plain = node.find(_TEXT)
    parts = [plain] if plain is not None else [run.find(_TEXT) for run in node.iter(_RUN)]
    return "".join(part.text or "" for part in parts if part is not None)


def _sheet_rows(source: IO[bytes]) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column number: value}) for each `<row>` of a worksheet part, in document order.

    Every element is detached from its parent once read (cells keep their children until the cell ends), so the
    tree never grows past one cell, whatever the sheet's size.
    """
    # defusedxml's parser when installed (it is, with openpyxl): no entity expansion, no external entities.
    from openpyxl.xml.functions import iterparse

    stack: list[Any] = []
    number, column, in_cell = 0, 0, False
    values: dict[int, object] = {}
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            if element.tag == _ROW:
                number, column, values = int(element.get("r") or number + 1), 0, {}
            in_cell = in_cell or element.tag == _CELL
            stack.append(element)
            continue
        stack.pop()
        if element.tag == _CELL:
            column = _column(element.get("r")) or column + 1
            values[column] = _value(element)
            in_cell = False
        elif element.tag == _ROW:
            yield number, values
        elif in_cell:
            continue  # a cell's <v> or <is>: read when the cell ends
        if stack:
            stack[-1].remove(element)


def _column(reference: str | None) -> int:
    """The column number of a cell reference ("B12" is 2), 0 when it has none."""
    if not reference:
        return 0
    column = 0
    for char in reference:
        if not char.isalpha():
            break
        column = column * 26 + ord(char.upper()) - 64
    if not 0 < column <= 16_384:
        raise ValueError(f"bad cell reference {reference[:20]!r}")
    return column


def _value(cell: Any) -> object:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        return None if inline is None else _text(inline)
    raw = cell.findtext(_VALUE)
    if not raw:
        return None  # no value, or a formula never calculated
    if kind == "s":
        return SharedString(int(raw))
    if kind == "b":
        return raw == "1"
    if kind in ("str", "e", "d"):
        return raw
    return float(raw) if any(char in raw for char in ".eE") else int(raw)

"""Spreadsheet files for tests, built fast: an XLSX as a hand-written minimal zip, streamed row by row.

openpyxl builds every cell as an object before it writes a row; writing the sheet XML directly costs far less,
and lets a test append what openpyxl would never write (a malformed tail, a member that unpacks huge).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{_DOC_RELS}/officeDocument"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        f'Type="{_DOC_RELS}/worksheet"/><Relationship Id="rId2" Target="sharedStrings.xml" '
        f'Type="{_DOC_RELS}/sharedStrings"/></Relationships>'
    ),
}
_SHARED = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def write_xlsx(
    path: Path,
    rows: Iterable[Iterable[str]],
    sheet: str = "Sheet1",
    tail: str = "",
    padding_bytes: int = 0,
    shared_strings: bool = False,
) -> Path:
    """A one-sheet workbook whose rows (the header first) hold inline strings, or shared ones as Excel writes.

    `tail` is raw XML appended after the rows (to make the rest of the sheet unreadable); `padding_bytes` adds a
    member of that many bytes that compresses to almost nothing (a file that unpacks far larger than it is).
    """
    table: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, xml.replace("</Types>", _SHARED) if shared_strings else xml)
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
            f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            member.write(f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            for number, cells in enumerate(rows, start=1):
                member.write(_row(number, cells, table if shared_strings else None).encode())
            member.write(f"{tail}</sheetData></worksheet>".encode())
        if shared_strings:
            items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in table)
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">{items}</sst>')
        if padding_bytes:
            with archive.open("xl/media/padding.bin", "w") as member:
                block = b"A" * (1 << 20)
                for start in range(0, padding_bytes, len(block)):
                    member.write(block[: padding_bytes - start])
    return path


def _row(number: int, cells: Iterable[str], table: dict[str, int] | None) -> str:
    def cell(column: int, value: str) -> str:
        where = f"{chr(65 + column)}{number}"
        if table is None:
            return f'<c r="{where}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
        return f'<c r="{where}" t="s"><v>{table.setdefault(value, len(table))}</v></c>'

    return f'<row r="{number}">{"".join(cell(column, value) for column, value in enumerate(cells))}</row>'


def ticket_rows(count: int) -> Iterable[tuple[str, str]]:
    """The header, then `count` valid labelled tickets."""
    yield ("Document", "Topic_group")
    for index in range(count):
        yield (f"printer jam on floor {index}", "Hardware")

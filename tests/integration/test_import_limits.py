"""Imports are bounded: a file over the size or row limit, an empty or header-only file, or one without the asked
columns is refused with a message naming the file, before it is read whole, and nothing is written."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest

from adapters.outbound.datasets.import_limits import ImportLimits
from adapters.outbound.datasets.spreadsheet_reader import SpreadsheetFileReader
from application.ports.spreadsheet_reader import SheetRow
from bootstrap.cli import main
from domain.errors import InvalidInput
from tests.settings_defaults import import_limits
from tests.spreadsheet_files import ticket_rows, write_xlsx

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
# Past the parser's read-ahead: a reader that went on past the row limit would reach this and fail differently.
UNREADABLE_TAIL = '<row r="999999"><c r="A999999" t="inlineStr"><is><t>unclosed'


def read(path: Path, limits: ImportLimits | None = None) -> list[SheetRow]:
    return SpreadsheetFileReader(limits or import_limits()).read_blocking(str(path), "Document", "Topic_group", None)


def test_a_workbook_that_unpacks_past_the_limit_is_refused_from_its_zip_directory(tmp_path: Path) -> None:
    bomb = write_xlsx(tmp_path / "bomb.xlsx", ticket_rows(3), padding_bytes=8 * MIB)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(InvalidInput, match=r"bomb\.xlsx unpacks to 8\.0 MiB, over the import limit of 4\.0 MiB"):
        read(bomb, import_limits(max_unpacked_bytes=4 * MIB))
    assert len(read(bomb, import_limits(max_unpacked_bytes=16 * MIB))) == 3


def test_a_sheet_over_the_row_limit_is_refused_without_reading_the_rest(tmp_path: Path) -> None:
    big = write_xlsx(tmp_path / "big.xlsx", ticket_rows(5_000), tail=UNREADABLE_TAIL)
    with pytest.raises(InvalidInput, match=r"big\.xlsx has more than 100 data rows, the import limit"):
        read(big, import_limits(max_rows=100))
    with pytest.raises(InvalidInput, match=r"big\.xlsx is not a readable XLSX workbook"):
        read(big, import_limits(max_rows=10_000))
    assert len(read(write_xlsx(tmp_path / "exact.xlsx", ticket_rows(100)), import_limits(max_rows=100))) == 100


def test_a_csv_over_the_row_or_size_limit_is_refused_without_reading_the_rest(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    lines = "".join(f"printer jam {index},Hardware\n" for index in range(5_000))
    big.write_bytes(("Document,Topic_group\n" + lines).encode() + b"\xff\xfe not utf-8")
    with pytest.raises(InvalidInput, match=r"big\.csv has more than 100 data rows"):
        read(big, import_limits(max_rows=100))
    with pytest.raises(InvalidInput, match=r"big\.csv is not UTF-8 text"):
        read(big, import_limits(max_rows=10_000))
    with pytest.raises(InvalidInput, match=r"big\.csv is 0\.1 MiB, over the import limit of 0\.0 MiB"):
        read(big, import_limits(max_unpacked_bytes=1_000))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", r"empty\.csv is empty: it has no header row"),
        ("header.csv", b"Document,Topic_group\r\n", r"header\.csv has a header row but no data rows"),
        ("blank.csv", b"Document,Topic_group\n,\n\n", r"blank\.csv has a header row but no data rows"),
        (
            "body.csv",
            b"body,Topic_group\nprinter jam,Hardware\n",
            r"body\.csv is missing column\(s\) Document; its header has: body, Topic_group",
        ),
        ("label.csv", "\ufeffDocument,label\nx,y\n".encode(), r"label\.csv is missing column\(s\) Topic_group"),
    ],
)
def test_empty_headless_and_columnless_csv_files_get_a_clear_message(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message) as raised:
        read(path)
    assert raised.value.field == "file"


def test_empty_and_header_only_workbooks_get_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"empty\.xlsx is empty"):
        read(write_xlsx(tmp_path / "empty.xlsx", []))
    with pytest.raises(InvalidInput, match=r"header\.xlsx has a header row but no data rows"):
        read(write_xlsx(tmp_path / "header.xlsx", ticket_rows(0)))


def test_texts_are_kept_exactly_and_blank_rows_skipped(tmp_path: Path) -> None:
    rows = [("Document", "Topic_group"), ("\t=cmd", "Hardware "), ("", ""), ("  padded  ", "Access")]
    for path in (write_xlsx(tmp_path / "t.xlsx", rows), tmp_path / "t.csv"):
        if path.suffix == ".csv":
            path.write_text("".join(f'"{text}","{label}"\n' for text, label in rows), encoding="utf-8")
        found = [(row.number, row.text, row.label) for row in read(path)]
        assert found == [(2, "\t=cmd", "Hardware "), (4, "  padded  ", "Access")], path.name


async def test_reading_happens_off_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = SpreadsheetFileReader.read_blocking

    def recording(self: SpreadsheetFileReader, *args: str | None) -> object:
        seen.append(threading.get_ident())
        return real(self, *args)

    monkeypatch.setattr(SpreadsheetFileReader, "read_blocking", recording)
    path = write_xlsx(tmp_path / "t.xlsx", ticket_rows(2))
    assert len(await SpreadsheetFileReader(import_limits()).read(str(path), "Document", "Topic_group", None)) == 2
    assert seen and seen[0] != threading.get_ident()


def test_the_import_command_refuses_files_over_the_limits_and_writes_nothing(
    embedded_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMPORT_MAX_ROWS", "50")
    monkeypatch.setenv("IMPORT_MAX_UNPACKED_BYTES", str(2 * MIB))
    cases = {
        write_xlsx(embedded_env / "rows.xlsx", ticket_rows(51)): "rows.xlsx has more than 50 data rows",
        write_xlsx(embedded_env / "bomb.xlsx", ticket_rows(1), padding_bytes=3 * MIB): "bomb.xlsx unpacks to 3.0 MiB",
    }
    empty = embedded_env / "empty.csv"
    empty.write_bytes(b"")
    cases[empty] = "empty.csv is empty"
    for path, message in cases.items():
        assert main(["import", str(path)]) == 2
        err = capsys.readouterr().err
        assert "import refused, nothing imported" in err and message in err and "Traceback" not in err
    fits = write_xlsx(embedded_env / "fits.xlsx", ticket_rows(50))
    assert main(["import", str(fits)]) == 0
    assert "imported 50 labelled tickets" in capsys.readouterr().out, "only the file within the limits was imported"


def test_a_workbook_with_shared_strings_reads_as_excel_wrote_it(tmp_path: Path) -> None:
    rows = [("Document", "Topic_group"), ("\t=cmd", "Hardware"), ("  padded  ", "Hardware"), ("", ""), ("x", "Access")]
    path = write_xlsx(tmp_path / "shared.xlsx", rows, shared_strings=True)
    found = [(row.number, row.text, row.label) for row in read(path)]
    assert found == [(2, "\t=cmd", "Hardware"), (3, "  padded  ", "Hardware"), (5, "x", "Access")]
    with pytest.raises(InvalidInput, match=r"shared\.xlsx has more than 2 data rows"):
        read(path, import_limits(max_rows=2))


def test_only_the_shared_strings_the_rows_use_are_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "strings.xlsx", ticket_rows(3), shared_strings=True)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    # Strings no row refers to, ending in a broken item: reading them all would fail.
    unused = "".join(f"<si><t>unused {index}</t></si>" for index in range(5_000)) + "<si><t>broken"
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(b"</sst>", unused.encode() + b"</sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert [row.text for row in read(path)] == [f"printer jam on floor {index}" for index in range(3)]

"""The `import` command and the training export, on real files and a real (SQLite) database."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from adapters.outbound.datasets.csv_cells import restore
from adapters.outbound.datasets.spreadsheet_reader import SpreadsheetFileReader
from adapters.outbound.datasets.training_exporter import SpreadsheetTrainingExporter
from bootstrap.cli import main
from domain.errors import InvalidInput
from domain.labelled_tickets import LabelledTicket
from tests.settings_defaults import import_limits

pytestmark = pytest.mark.integration


def write_csv(path: Path, rows: list[tuple[str, str]], header: tuple[str, str] = ("Document", "Topic_group")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[tuple[object, object]], sheet: str = "Sheet1") -> Path:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(["Document", "Topic_group"])
    for row in rows:
        worksheet.append(list(row))
    workbook.save(path)
    return path


def test_import_of_a_valid_csv(embedded_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(embedded_env / "tickets.csv", [("printer jam", "Hardware"), ("vpn locked", "Access")])
    assert main(["import", str(source)]) == 0
    assert "imported 2 labelled tickets" in capsys.readouterr().out


def test_import_refuses_a_file_with_bad_rows_and_names_them(
    embedded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_xlsx(
        embedded_env / "tickets.xlsx", [("printer jam", "Hardware"), ("", "Access"), ("disk full", None)]
    )
    assert main(["import", str(source)]) == 1
    err = capsys.readouterr().err
    assert "row 3: Document" in err and "row 4: Topic_group" in err and "nothing imported" in err
    assert main(["import", str(source), "--skip-invalid"]) == 0
    assert "imported 1 labelled tickets, skipped 2" in capsys.readouterr().out


def test_import_maps_other_column_names(embedded_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(embedded_env / "t.csv", [("printer jam", "Hardware")], header=("body", "label"))
    assert main(["import", str(source)]) == 2
    assert "missing column(s) Document, Topic_group" in capsys.readouterr().err
    assert main(["import", str(source), "--text-column", "body", "--label-column", "label"]) == 0


def test_import_reports_wrong_sheet_and_non_spreadsheets(
    embedded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = write_xlsx(embedded_env / "t.xlsx", [("printer jam", "Hardware")], sheet="Tickets")
    assert main(["import", str(workbook), "--sheet", "Nope"]) == 2
    assert "no sheet named 'Nope'" in capsys.readouterr().err
    fake = embedded_env / "fake.xlsx"
    fake.write_bytes(b"\x00\x01 definitely not a zip")
    assert main(["import", str(fake)]) == 2
    assert "not a readable XLSX workbook" in capsys.readouterr().err


async def test_reader_gives_spreadsheet_row_numbers(tmp_path: Path) -> None:
    rows = await SpreadsheetFileReader(import_limits()).read(
        str(write_csv(tmp_path / "t.csv", [("a", "X"), ("b", "Y")])), "Document", "Topic_group", None
    )
    assert [(row.number, row.text, row.label) for row in rows] == [(2, "a", "X"), (3, "b", "Y")]
    with pytest.raises(InvalidInput, match="does not exist"):
        await SpreadsheetFileReader(import_limits()).read(
            str(tmp_path / "missing.csv"), "Document", "Topic_group", None
        )


async def test_export_writes_the_seed_xlsx_and_a_full_csv(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    tickets = [
        LabelledTicket("=SUM(A1) looks like a formula", "Hardware", "api", datetime(2026, 1, 1, tzinfo=UTC), id=1),
        LabelledTicket("vpn locked \x07 bell", "Access", "import", datetime(2026, 1, 2, tzinfo=UTC), id=2),
    ]
    exporter = SpreadsheetTrainingExporter(tmp_path / "exports" / "t.xlsx", "Data", tmp_path / "training")
    written = await exporter.export(tickets)
    sheet = load_workbook(written[0], read_only=True)["Data"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Document", "Topic_group")
    assert rows[1] == ("=SUM(A1) looks like a formula", "Hardware"), "kept as text, not turned into a formula"
    with open(written[1], newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert [row["Topic_group"] for row in exported] == ["Hardware", "Access"] and exported[1]["source"] == "import"
    assert not list(tmp_path.rglob("*.partial"))


FORMULA_LIKE = [
    "=1+1",
    "\t=cmd|' /C calc'!A0",
    "-5 degrees in the server room",
    "@home printer",
    "+44 phone line down",
    '\r=HYPERLINK("http://x")',
    "'quoted already",
    "  leading blanks kept  ",
]


async def test_csv_export_neutralises_formula_cells_and_restores_the_stored_text(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    tickets = [
        LabelledTicket(text, "=Hardware", "import", datetime(2026, 1, 1, tzinfo=UTC), id=index)
        for index, text in enumerate(FORMULA_LIKE, start=1)
    ]
    exporter = SpreadsheetTrainingExporter(tmp_path / "t.xlsx", "Data", tmp_path / "training")
    written = await exporter.export(tickets)
    with open(written[1], newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    for row in exported:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{cell!r} would open as a formula"
    assert [row["Document"] for row in exported] == [
        "'" + text if text[0] in "=+-@\t\r'" else text for text in FORMULA_LIKE
    ]
    assert [restore(row["Document"]) for row in exported] == FORMULA_LIKE
    assert {restore(row["Topic_group"]) for row in exported} == {"=Hardware"}
    xlsx = load_workbook(written[0], read_only=True)["Data"]
    # XML itself turns a carriage return into a line feed; everything else comes back as typed text.
    expected = [text.replace("\r", "\n") for text in FORMULA_LIKE]
    assert [row[0] for row in list(xlsx.iter_rows(values_only=True))[1:]] == expected, "XLSX: text cells"


async def test_an_import_keeps_each_text_exactly_and_the_export_round_trips_it(
    embedded_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bootstrap.container import build_container
    from bootstrap.settings import load_settings

    source = write_csv(embedded_env / "formulas.csv", [(text, "Hardware") for text in FORMULA_LIKE])
    assert await asyncio.to_thread(main, ["import", str(source)]) == 0
    container = build_container(load_settings(env_file=None))
    try:
        _, stored = await container.list_labelled_tickets().execute(0, 100)
    finally:
        await container.engine().dispose()
    assert sorted(ticket.text for ticket in stored) == sorted(FORMULA_LIKE), "stored exactly, nothing stripped"
    written = await SpreadsheetTrainingExporter(embedded_env / "t.xlsx", "Data", embedded_env / "training").export(
        stored
    )
    with open(written[1], newline="", encoding="utf-8") as handle:
        assert sorted(restore(row["Document"]) for row in csv.DictReader(handle)) == sorted(FORMULA_LIKE)

from __future__ import annotations

import asyncio
import csv
import os
from collections.abc import Sequence
from pathlib import Path

from adapters.outbound.datasets.csv_cells import neutralise
from domain.labelled_tickets import LabelledTicket

XLSX_COLUMNS = ("Document", "Topic_group")
CSV_NAME = "labelled_tickets.csv"


class SpreadsheetTrainingExporter:
    """Writes the seed's XLSX (`Document`, `Topic_group`) and a full CSV, each aside first, then renamed.

    Neither file can run anything in a spreadsheet program: XLSX cells are typed as text, and CSV cells that would
    open as a formula are quoted (`csv_cells.neutralise`; `csv_cells.restore` gives the stored text back). The
    trainer never reads these files: it gets the stored tickets themselves.
    """

    def __init__(self, xlsx_path: Path, sheet_name: str, data_dir: Path) -> None:
        self._xlsx_path = xlsx_path
        self._sheet_name = sheet_name
        self._data_dir = data_dir

    async def export(self, tickets: Sequence[LabelledTicket]) -> list[str]:
        return await asyncio.to_thread(self._export, list(tickets))

    def _export(self, tickets: list[LabelledTicket]) -> list[str]:
        csv_path = self._data_dir / CSV_NAME
        self._write_xlsx(tickets)
        self._write_csv(tickets, csv_path)
        return [str(self._xlsx_path), str(csv_path)]

    def _write_xlsx(self, tickets: list[LabelledTicket]) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def text_cell(value: str) -> WriteOnlyCell:
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub(" ", value))
            # Forced to text: a ticket starting with "=" must not become a formula in the operator's Excel.
            cell.data_type = "s"
            return cell

        self._xlsx_path.parent.mkdir(parents=True, exist_ok=True)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(self._sheet_name)
        sheet.append(list(XLSX_COLUMNS))
        for ticket in tickets:
            sheet.append([text_cell(ticket.text), text_cell(ticket.category)])
        partial = self._xlsx_path.with_name(self._xlsx_path.name + ".partial")
        workbook.save(partial)
        os.replace(partial, self._xlsx_path)

    def _write_csv(self, tickets: list[LabelledTicket], path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", *XLSX_COLUMNS, "priority", "team_id", "source", "created_at"])
            for t in tickets:
                priority = t.priority.value if t.priority else ""
                row = [t.id, t.text, t.category, priority, t.team_id or "", t.source, t.created_at.isoformat()]
                writer.writerow([neutralise(cell) for cell in row])
        os.replace(partial, path)

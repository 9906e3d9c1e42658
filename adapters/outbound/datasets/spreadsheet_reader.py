from __future__ import annotations

from pathlib import Path
from typing import Any

from application.ports.spreadsheet_reader import SheetRow
from domain.errors import InvalidInput

_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


class PandasSpreadsheetReader:
    """Reads XLSX (openpyxl) or CSV (pandas' C parser: 43k rows in well under a second)."""

    def read(self, path: str, text_column: str, label_column: str, sheet: str | None) -> list[SheetRow]:
        import pandas as pd

        file = Path(path)
        if not file.is_file():
            raise InvalidInput("file", f"{path} does not exist")
        frame = self._frame(pd, file, sheet)
        missing = [column for column in (text_column, label_column) if column not in frame.columns]
        if missing:
            found = ", ".join(map(str, frame.columns)) or "none"
            raise InvalidInput("file", f"missing column(s) {', '.join(missing)}; the file has: {found}")
        texts = frame[text_column].tolist()
        labels = frame[label_column].tolist()
        # Row 1 is the header, so data row i is spreadsheet row i + 2.
        return [SheetRow(index + 2, _clean(text), _clean(label)) for index, (text, label) in enumerate(zip(texts, labels))]

    @staticmethod
    def _frame(pd: Any, file: Path, sheet: str | None) -> Any:
        try:
            if file.suffix.lower() in _EXCEL_SUFFIXES:
                import openpyxl

                try:
                    workbook = openpyxl.load_workbook(file, read_only=True)
                except Exception as error:  # noqa: BLE001 - any parse failure means "not a spreadsheet"
                    raise InvalidInput("file", f"{file.name} is not a readable XLSX workbook ({type(error).__name__})") from None
                sheets = workbook.sheetnames
                workbook.close()
                chosen = sheet or sheets[0]
                if chosen not in sheets:
                    raise InvalidInput("sheet", f"no sheet named {chosen!r}; the workbook has: {', '.join(sheets)}")
                return pd.read_excel(file, sheet_name=chosen, dtype=object, engine="openpyxl")
            if sheet is not None:
                raise InvalidInput("sheet", "only XLSX workbooks have sheets; this is a CSV file")
            return pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("file", f"{file.name} is not UTF-8 text; is it a spreadsheet?") from None
        except pd.errors.ParserError as error:
            raise InvalidInput("file", f"{file.name} is not a valid CSV file: {error}") from None


def _clean(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN marks an empty Excel cell
        return None
    return value

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from application.ports.clock import Clock
from application.ports.spreadsheet_reader import SheetRow, SpreadsheetReader
from application.use_cases.labelled_tickets import LabelledTicketUnitOfWork
from domain.errors import InvalidInput
from domain.labelled_tickets import LabelledTicket

CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    message: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: int
    skipped: tuple[RowProblem, ...]
    problems: tuple[RowProblem, ...]
    """Non-empty means nothing was imported."""


class ImportLabelledTickets:
    """Imports a spreadsheet of labelled tickets: every row valid, or nothing (unless bad rows may be skipped).

    A file the reader refuses (unreadable, empty, over its limits) raises `InvalidInput` before anything is written.
    Each ticket's text is stored exactly as the file has it.
    """

    def __init__(
        self,
        uow_factory: Callable[[], LabelledTicketUnitOfWork],
        reader: SpreadsheetReader,
        clock: Clock,
        max_text_length: int,
    ) -> None:
        self._uow_factory = uow_factory
        self._reader = reader
        self._clock = clock
        self._max_text_length = max_text_length

    async def execute(
        self,
        path: str,
        text_column: str = "Document",
        label_column: str = "Topic_group",
        sheet: str | None = None,
        skip_invalid: bool = False,
        source: str = "import",
        on_progress: Callable[[int, int], None] = lambda done, total: None,
    ) -> ImportReport:
        rows = await self._reader.read(path, text_column, label_column, sheet)
        if not rows:
            raise InvalidInput("file", f"{PurePath(path).name} has no data rows")
        # Checking up to IMPORT_MAX_ROWS rows is CPU work that would stall other requests: off the event loop too.
        tickets, problems = await asyncio.to_thread(
            self._validated, rows, text_column, label_column, source, self._clock.now()
        )
        if problems and not skip_invalid:
            return ImportReport(0, (), tuple(problems))
        # One transaction for the whole file: an interruption leaves nothing half-imported.
        async with self._uow_factory() as uow:
            for start in range(0, len(tickets), CHUNK):
                await uow.labelled_tickets.add_many(tickets[start : start + CHUNK])
                on_progress(min(start + CHUNK, len(tickets)), len(tickets))
            await uow.commit()
        return ImportReport(len(tickets), tuple(problems), ())

    def _validated(
        self, rows: Sequence[SheetRow], text_column: str, label_column: str, source: str, now: datetime
    ) -> tuple[list[LabelledTicket], list[RowProblem]]:
        tickets: list[LabelledTicket] = []
        problems: list[RowProblem] = []
        for row in rows:
            try:
                tickets.append(
                    LabelledTicket.validated(row.text, row.label, source, now, max_text_length=self._max_text_length)
                )
            except InvalidInput as error:
                column = text_column if error.field == "text" else label_column
                problems.append(RowProblem(row.number, f"{column}: {error.message}"))
        return tickets, problems

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.ports.clock import Clock
from application.ports.spreadsheet_reader import SpreadsheetReader
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
    """Imports a spreadsheet of labelled tickets: every row valid, or nothing (unless bad rows may be skipped)."""

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
        rows = self._reader.read(path, text_column, label_column, sheet)
        now = self._clock.now()
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
        if not rows:
            raise InvalidInput("file", "has no data rows")
        if problems and not skip_invalid:
            return ImportReport(0, (), tuple(problems))
        # One transaction for the whole file: an interruption leaves nothing half-imported.
        async with self._uow_factory() as uow:
            for start in range(0, len(tickets), CHUNK):
                await uow.labelled_tickets.add_many(tickets[start : start + CHUNK])
                on_progress(min(start + CHUNK, len(tickets)), len(tickets))
            await uow.commit()
        return ImportReport(len(tickets), tuple(problems), ())

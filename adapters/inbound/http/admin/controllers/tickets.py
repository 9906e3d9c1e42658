from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST

from adapters.inbound.http.admin.forms import FieldErrors, checkbox, page_number, text
from adapters.inbound.http.admin.rendering import page
from application.use_cases.import_labelled_tickets import ImportLabelledTickets, ImportReport
from application.use_cases.labelled_tickets import ListLabelledTickets
from domain.errors import InvalidInput

PAGE_SIZE = 50
UPLOAD_SUFFIXES = {".xlsx", ".xlsm", ".csv"}
DEFAULT_COLUMNS = {"text_column": "Document", "label_column": "Topic_group", "sheet": ""}


class LabelledTicketPagesController(Controller):
    path = "/tickets"

    @get("/")
    async def tickets(
        self, request: Request[Any, Any, Any], list_labelled_tickets: NamedDependency[ListLabelledTickets]
    ) -> Template:
        return await _tickets_page(request, list_labelled_tickets, page_number(request.query_params, PAGE_SIZE))


class LabelledTicketUploadController(Controller):
    """Apart from the page, so that only this handler accepts a body as large as a spreadsheet (see the router)."""

    path = "/tickets"

    @post("/upload")
    async def upload(
        self,
        request: Request[Any, Any, Any],
        import_labelled_tickets: NamedDependency[ImportLabelledTickets],
        list_labelled_tickets: NamedDependency[ListLabelledTickets],
    ) -> Template:
        form = await request.form()
        columns = {name: text(form, name) or default for name, default in DEFAULT_COLUMNS.items()}
        skip_invalid = checkbox(form, "skip_invalid")
        upload = form.get("file")
        errors = FieldErrors()
        report = None
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput("file", "choose an XLSX or CSV file to upload")
            name = _safe_name(upload.filename)
            if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
                raise InvalidInput("file", f"{name} is not an .xlsx or .csv file")
            report = await _import_upload(import_labelled_tickets, upload, name, columns, skip_invalid)
        except InvalidInput as error:
            errors.add(error)
        status = HTTP_400_BAD_REQUEST if errors or (report is not None and report.problems) else 200
        values = {**columns, "skip_invalid": skip_invalid}
        return await _tickets_page(
            request,
            list_labelled_tickets,
            1,
            status,
            values=values,
            errors=errors,
            report=report,
            upload_name=upload.filename if isinstance(upload, UploadFile) else None,
        )


async def _import_upload(
    import_labelled_tickets: ImportLabelledTickets,
    upload: UploadFile,
    name: str,
    columns: dict[str, str],
    skip_invalid: bool,
) -> ImportReport:
    """Imports the upload by way of a private temporary folder (the reader takes a path), removed afterwards.

    Nothing here blocks the event loop: the write and the removal run in worker threads, the parse in the reader's.
    A file the import refuses raises `InvalidInput` naming it (`name`), and nothing is written.
    """
    folder = await asyncio.to_thread(tempfile.mkdtemp, prefix="ticket-utils-upload-")
    try:
        path = Path(folder) / name
        await asyncio.to_thread(path.write_bytes, await upload.read())
        return await import_labelled_tickets.execute(
            str(path),
            columns["text_column"],
            columns["label_column"],
            columns["sheet"] or None,
            skip_invalid,
            source="admin-upload",
        )
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)


async def _tickets_page(
    request: Request[Any, Any, Any],
    list_labelled_tickets: ListLabelledTickets,
    number: int,
    status: int = 200,
    **context: Any,
) -> Template:
    total, items = await list_labelled_tickets.execute((number - 1) * PAGE_SIZE, PAGE_SIZE)
    context.setdefault("values", {**DEFAULT_COLUMNS, "skip_invalid": False})
    context.setdefault("errors", FieldErrors())
    return page(
        request,
        "tickets.html",
        status,
        total=total,
        items=items,
        number=number,
        pages=max(1, -(-total // PAGE_SIZE)),
        **context,
    )


def _safe_name(filename: str) -> str:
    """Only the last path component, in a harmless alphabet: the name is shown in messages, never trusted."""
    base = re.split(r"[\\/]", filename)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip(".")
    return cleaned[-100:] or "upload"

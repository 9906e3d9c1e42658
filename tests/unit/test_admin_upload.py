"""The admin upload over HTTP, on the real app, wiring and spreadsheet reader, with an in-memory store: a file the
import refuses is a 400 form error naming the file, never a 500, and nothing is written."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.outbound.datasets.spreadsheet_reader import SpreadsheetFileReader
from tests.settings_defaults import import_limits
from tests.spreadsheet_files import ticket_rows, write_xlsx
from tests.unit.admin_session import logged_in, page_token
from tests.unit.http_world import HttpWorld, http_world

MIB = 1024 * 1024


@pytest.fixture
async def world() -> AsyncIterator[HttpWorld]:
    world = http_world()
    limits = import_limits(max_rows=50, max_unpacked_bytes=2 * MIB)
    world.container.spreadsheet_reader.override(providers.Object(SpreadsheetFileReader(limits)))
    await world.add_admin()
    yield world


@pytest.fixture
async def client(world: HttpWorld) -> AsyncIterator[AsyncTestClient]:
    async with logged_in(world.app) as test_client:
        yield test_client


async def upload(client: AsyncTestClient, name: str, content: bytes):
    token = await page_token(client, "/admin/tickets")
    return await client.post(
        "/admin/tickets/upload", data={"_csrf_token": token}, files={"file": (name, content)}, follow_redirects=False
    )


def file_error(html: str) -> str:
    match = re.search(r'<p class="field-error" id="file-error">([^<]*)</p>', html)
    assert match, "the error is shown next to the file field"
    return match.group(1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty.csv is empty: it has no header row"),
        ("header-only.csv", b"Document,Topic_group\n", "header-only.csv has a header row but no data rows"),
        ("columns.csv", b"body,label\nx,y\n", "columns.csv is missing column(s) Document, Topic_group"),
        ("latin1.csv", "Document,Topic_group\ncaf\xe9,X\n".encode("latin-1"), "latin1.csv is not UTF-8 text"),
        ("fake.xlsx", b"PK not really a zip", "fake.xlsx is not a readable XLSX workbook"),
    ],
)
async def test_a_file_the_import_cannot_read_is_a_400_naming_it(
    world: HttpWorld, client: AsyncTestClient, name: str, content: bytes, message: str
) -> None:
    response = await upload(client, name, content)
    assert response.status_code == 400 and message in file_error(response.text).replace("&#39;", "'")
    assert world.uow.store.labelled == {}


async def test_files_over_the_limits_are_a_400_and_nothing_is_written(
    world: HttpWorld, client: AsyncTestClient, tmp_path
) -> None:
    rows = write_xlsx(tmp_path / "rows.xlsx", ticket_rows(51))
    response = await upload(client, "rows.xlsx", rows.read_bytes())
    assert response.status_code == 400 and "rows.xlsx has more than 50 data rows" in file_error(response.text)
    bomb = write_xlsx(tmp_path / "bomb.xlsx", ticket_rows(1), padding_bytes=3 * MIB)
    response = await upload(client, "bomb.xlsx", bomb.read_bytes())
    assert response.status_code == 400 and "bomb.xlsx unpacks to 3.0 MiB" in file_error(response.text)
    assert world.uow.store.labelled == {}
    fits = write_xlsx(tmp_path / "fits.xlsx", ticket_rows(50))
    response = await upload(client, "fits.xlsx", fits.read_bytes())
    assert response.status_code == 200 and "Imported 50 labelled ticket(s) from fits.xlsx" in response.text
    assert len(world.uow.store.labelled) == 50


async def test_an_uploaded_text_is_stored_exactly(world: HttpWorld, client: AsyncTestClient) -> None:
    content = b'Document,Topic_group\n"\t=cmd|\' /C calc\'!A0",Hardware\n" -5 degrees",Hardware\n'
    response = await upload(client, "formulas.csv", content)
    assert response.status_code == 200
    assert sorted(t.text for t in world.uow.store.labelled.values()) == sorted([" -5 degrees", "\t=cmd|' /C calc'!A0"])

"""The models page shows the model store's size; a version whose files retention deleted cannot be activated, on
the admin site or the API. On the real app and wiring with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import AsyncTestClient

from domain.model_versions import ModelStatus, ModelVersion
from tests.unit.admin_session import logged_in
from tests.unit.http_world import ADMIN_KEY, http_world

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


async def test_the_models_page_shows_the_store_size_and_a_deleted_version_cannot_come_back() -> None:
    world = http_world()
    store = world.container.model_store()
    staged = Path(store.staging_area(), "v-kept")
    staged.mkdir(parents=True)
    (staged / "model.json").write_bytes(b"x" * 3000)
    kept = await store.publish(str(staged), "v-kept")
    async with world.uow() as unit:
        await unit.model_versions.add(ModelVersion("v-kept", kept, ("A",), ModelStatus.ACTIVE, NOW))
        gone = await unit.model_versions.add(ModelVersion("v-gone", "v-gone", ("A",), ModelStatus.DELETED, NOW))
        await unit.commit()
    await world.add_admin()
    async with logged_in(world.app) as admin:
        html = (await admin.get("/admin/models")).text
    assert "Model store: 1 version, 2.9 KiB." in html
    row = html.split("v-gone", 1)[1].split("</tr>", 1)[0]
    assert "files deleted" in row and "activate" not in row

    async with AsyncTestClient(app=world.app) as client:
        answer = await client.post(f"/api/models/{gone.id}/activate", headers={"X-API-Key": ADMIN_KEY})
    assert answer.status_code == 409 and "deleted" in answer.json()["error"]


async def test_a_store_out_of_reach_is_said_so() -> None:
    world = http_world()
    world.container.model_store().unavailable = True
    await world.add_admin()
    async with logged_in(world.app) as admin:
        assert "Model store: cannot be reached right now." in (await admin.get("/admin/models")).text

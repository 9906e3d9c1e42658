"""What the filesystem store does beyond the contract: versions written before manifests, and where it stages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from adapters.outbound.model_store.manifests import MANIFEST_FILE, parse_manifest
from application.ports.model_store import CorruptVersion, ModelStoreUnavailable
from tests.model_store_contract import FILES, read_all, stage


async def test_a_version_written_before_manifests_still_opens_and_lists(tmp_path: Path) -> None:
    store = FilesystemModelStore(tmp_path / "models")
    legacy = tmp_path / "models" / "v20250101-000000-abcdef"
    (legacy / "bert").mkdir(parents=True)
    (legacy / "model.json").write_text("{}")
    (legacy / "bert" / "config.json").write_text("{}")
    (tmp_path / "models" / "v20250102-000000-abcdef.partial").mkdir()
    assert await store.versions() == [str(legacy)], "a folder a crashed trainer left is no version"
    async with store.open(str(legacy)) as folder:
        assert folder == str(legacy)
    manifest = await store.manifest(str(legacy))
    assert manifest.has_folder("bert") and {file.path for file in manifest.files} == {"model.json", "bert/config.json"}


async def test_a_version_staged_elsewhere_is_moved_in_whole(tmp_path: Path) -> None:
    store = FilesystemModelStore(tmp_path / "models")
    elsewhere = tmp_path / "work" / "v1"
    for relative, data in FILES.items():
        (elsewhere / relative).parent.mkdir(parents=True, exist_ok=True)
        (elsewhere / relative).write_bytes(data)
    location = await store.publish(str(elsewhere), "v1")
    assert location == str(tmp_path / "models" / "v1") and not elsewhere.exists()
    async with store.open(location) as folder:
        assert {path: data for path, data in read_all(folder).items() if path != MANIFEST_FILE} == FILES


async def test_a_missing_store_folder_is_an_outage_and_a_missing_version_is_corrupt(tmp_path: Path) -> None:
    store = FilesystemModelStore(tmp_path / "models")
    location = await store.publish(stage(store, "v1"), "v1")
    with pytest.raises(CorruptVersion):
        async with store.open(str(tmp_path / "models" / "v2")):
            pass
    unmounted = FilesystemModelStore(tmp_path / "unmounted")
    with pytest.raises(ModelStoreUnavailable):
        async with unmounted.open(str(tmp_path / "unmounted" / "v1")):
            pass
    async with store.open(location):
        pass


@pytest.mark.parametrize("path", ["../escape", "/etc/passwd", "a//b", "./a", "a\\b", "", MANIFEST_FILE])
def test_a_manifest_naming_a_file_outside_its_folder_is_refused(path: str) -> None:
    raw = json.dumps({"format": 1, "name": "v1", "files": [{"path": path, "size": 1, "sha256": "00"}]}).encode()
    with pytest.raises(CorruptVersion):
        parse_manifest(raw, "v1")


def test_a_manifest_of_another_version_or_no_manifest_at_all_is_refused() -> None:
    with pytest.raises(CorruptVersion):
        parse_manifest(json.dumps({"format": 1, "name": "v2", "files": []}).encode(), "v1")
    with pytest.raises(CorruptVersion):
        parse_manifest(b"<html>not found</html>", "v1")

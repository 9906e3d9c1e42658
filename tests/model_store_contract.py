"""The model store contract: what every implementation of `application.ports.model_store.ModelStore` must do.

`ModelStoreContract` is not collected by itself; a subclass provides the fixtures `store` (an empty store) and
`tamper` (changes a version's file at rest, behind the store's back: new bytes, or None to remove it) and inherits
every test: tests/unit/test_model_store_contract.py runs them over the in-memory fake and the filesystem store,
tests/integration/test_object_store.py over the object store on a real S3 API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from application.ports.model_store import CorruptVersion, ModelStore

Tamper = Callable[[str, str, bytes | None], None]
FILES = {
    "model.json": b'{"format": 1, "kind": "hybrid"}',
    "bert/config.json": b'{"hidden_size": 32}',
    "bert/model.safetensors": bytes(range(256)) * 300,
    "linear/coef.npy": b"\x93NUMPY" + b"\x01" * 1000,
}


def stage(store: ModelStore, name: str, files: dict[str, bytes] = FILES) -> str:
    """A finished version folder in the store's staging area, as a trainer leaves it."""
    folder = Path(store.staging_area()) / name
    for relative, data in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    return str(folder)


def read_all(folder: str) -> dict[str, bytes]:
    root = Path(folder)
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


class ModelStoreContract:
    async def test_a_published_version_opens_as_a_folder_with_exactly_its_files(self, store: ModelStore) -> None:
        staging = stage(store, "v1")
        location = await store.publish(staging, "v1")
        assert not Path(staging).exists(), "publishing consumes the staged folder"
        async with store.open(location) as folder:
            files = read_all(folder)
        assert {path: data for path, data in files.items() if path in FILES} == FILES
        assert set(files) - set(FILES) <= {"manifest.sha256.json"}, "nothing but the manifest is added"
        assert await store.versions() == [location]

    async def test_the_manifest_states_every_file_with_its_size_and_sha256(self, store: ModelStore) -> None:
        location = await store.publish(stage(store, "v1"), "v1")
        manifest = await store.manifest(location)
        assert manifest.name == "v1"
        assert {(f.path, f.size, f.sha256) for f in manifest.files} == {
            (path, len(data), hashlib.sha256(data).hexdigest()) for path, data in FILES.items()
        }
        assert manifest.has_folder("bert") and not manifest.has_folder("onnx")
        assert manifest.size == sum(len(data) for data in FILES.values())

    async def test_versions_lists_only_published_ones(self, store: ModelStore) -> None:
        assert await store.versions() == []
        stage(store, "v0")
        assert await store.versions() == [], "a folder still being staged is no version"
        first = await store.publish(stage(store, "v1"), "v1")
        second = await store.publish(stage(store, "v2", {"model.json": b"{}"}), "v2")
        assert sorted(await store.versions()) == sorted([first, second])
        usage = await store.usage()
        assert (usage.versions, usage.bytes) == (2, sum(len(data) for data in FILES.values()) + 2)

    async def test_a_name_is_published_once(self, store: ModelStore) -> None:
        await store.publish(stage(store, "v1"), "v1")
        with pytest.raises(FileExistsError):
            await store.publish(stage(store, "v1", {"model.json": b"other"}), "v1")
        with pytest.raises(ValueError):
            await store.publish(stage(store, "x"), "../x")

    async def test_a_file_changed_at_rest_is_refused(self, store: ModelStore, tamper: Tamper) -> None:
        location = await store.publish(stage(store, "v1"), "v1")
        tamper(location, "bert/model.safetensors", b"\xff" + FILES["bert/model.safetensors"][1:])
        with pytest.raises(CorruptVersion, match="sha256"):
            async with store.open(location):
                pass

    async def test_a_file_cut_short_or_removed_at_rest_is_refused(self, store: ModelStore, tamper: Tamper) -> None:
        short = await store.publish(stage(store, "v1"), "v1")
        tamper(short, "bert/model.safetensors", FILES["bert/model.safetensors"][:100])
        with pytest.raises(CorruptVersion):
            async with store.open(short):
                pass
        gone = await store.publish(stage(store, "v2"), "v2")
        tamper(gone, "model.json", None)
        with pytest.raises(CorruptVersion, match="model.json"):
            async with store.open(gone):
                pass

    async def test_a_refused_version_does_not_spoil_the_others(self, store: ModelStore, tamper: Tamper) -> None:
        good = await store.publish(stage(store, "v1"), "v1")
        bad = await store.publish(stage(store, "v2"), "v2")
        tamper(bad, "linear/coef.npy", b"rewritten")
        with pytest.raises(CorruptVersion):
            async with store.open(bad):
                pass
        async with store.open(good) as folder:
            assert read_all(folder)["linear/coef.npy"] == FILES["linear/coef.npy"]

    async def test_a_deleted_version_is_gone_and_deleting_again_is_no_error(self, store: ModelStore) -> None:
        kept = await store.publish(stage(store, "v1"), "v1")
        deleted = await store.publish(stage(store, "v2"), "v2")
        async with store.open(deleted):
            pass
        await store.delete(deleted)
        await store.delete(deleted)
        assert await store.versions() == [kept]
        with pytest.raises(CorruptVersion):
            async with store.open(deleted):
                pass
        assert (await store.usage()).versions == 1

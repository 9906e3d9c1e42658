"""The model store contract over the in-memory fake and the filesystem store (the object store's run is in
tests/integration/test_object_store.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from tests.model_store_contract import ModelStoreContract, Tamper
from tests.unit.fakes import FakeModelStore


class TestFakeModelStore(ModelStoreContract):
    @pytest.fixture
    def store(self) -> FakeModelStore:
        return FakeModelStore()

    @pytest.fixture
    def tamper(self, store: FakeModelStore) -> Tamper:
        return store.tamper


class TestFilesystemModelStore(ModelStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> FilesystemModelStore:
        return FilesystemModelStore(tmp_path / "models")

    @pytest.fixture
    def tamper(self) -> Tamper:
        def tamper(location: str, path: str, data: bytes | None) -> None:
            target = Path(location, path)
            if data is None:
                target.unlink()
            else:
                target.write_bytes(data)

        return tamper

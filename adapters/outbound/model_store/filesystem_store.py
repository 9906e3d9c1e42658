"""ModelStore over one folder (MODEL_STORE_DIR): the embedded default, and every deployment on a single host."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.outbound.model_store.manifests import (
    check_folder,
    check_version_name,
    describe_folder,
    folder_size,
    read_manifest,
    write_manifest,
)
from application.ports.model_store import CorruptVersion, ModelStoreUnavailable, StoreUsage, VersionManifest

_STAGING = ".staging"
_TRASH = ".trash"


class FilesystemModelStore:
    """Implements ModelStore over the folder `root`; a version is the folder `root/<name>`.

    A location is that folder's path, as the registry recorded it before there was a store, so versions trained
    then still open. `publish` writes the manifest into the staged folder and renames it into place (the staging
    area is inside `root`, so it is one rename): a version appears whole or not at all. `open` checks every file
    against the manifest, in a thread, and hands out the version's own folder (nothing is copied). A version
    folder without a manifest was written before manifests existed, renamed into place whole as now: it is handed
    out as it is.
    """

    def __init__(self, root: Path) -> None:
        self._root = root

    def staging_area(self) -> str:
        return str(self._root / _STAGING)

    async def publish(self, staging: str, name: str) -> str:
        return await asyncio.to_thread(self._publish, Path(staging), check_version_name(name))

    @asynccontextmanager
    async def open(self, location: str) -> AsyncIterator[str]:
        await asyncio.to_thread(self._check, Path(location))
        yield location

    async def manifest(self, location: str) -> VersionManifest:
        return await asyncio.to_thread(self._manifest, Path(location))

    async def versions(self) -> list[str]:
        return await asyncio.to_thread(self._versions)

    async def delete(self, location: str) -> None:
        await asyncio.to_thread(self._delete, Path(location))

    async def usage(self) -> StoreUsage:
        def count() -> StoreUsage:
            versions = self._versions()
            return StoreUsage(len(versions), sum(folder_size(Path(location)) for location in versions))

        return await asyncio.to_thread(count)

    def _publish(self, staging: Path, name: str) -> str:
        target = self._root / name
        if target.exists():
            raise FileExistsError(f"model version {name} is already in {self._root}")
        write_manifest(staging, describe_folder(staging, name))
        area = self._root / _STAGING
        if staging.parent.resolve() != area.resolve():
            # Staged elsewhere (another filesystem, perhaps): moved beside the store first, so the last step is a
            # rename within one filesystem.
            area.mkdir(parents=True, exist_ok=True)
            moved = area / f"{name}.{secrets.token_hex(4)}"
            shutil.move(staging, moved)
            staging = moved
        staging.rename(target)
        return str(target)

    def _check(self, folder: Path) -> None:
        manifest = self._manifest_if_any(folder)
        if manifest is not None:
            check_folder(folder, manifest)

    def _manifest(self, folder: Path) -> VersionManifest:
        return self._manifest_if_any(folder) or describe_folder(folder, folder.name)

    def _manifest_if_any(self, folder: Path) -> VersionManifest | None:
        if not folder.is_dir():
            if not self._root.is_dir():
                raise ModelStoreUnavailable(f"the model store {self._root} is not there (an unmounted volume?)")
            raise CorruptVersion(f"no model version at {folder}")
        return read_manifest(folder, folder.name)

    def _versions(self) -> list[str]:
        try:
            entries = list(os.scandir(self._root))
        except FileNotFoundError:
            return []
        return sorted(str(self._root / entry.name) for entry in entries if entry.is_dir() and _is_version(entry.name))

    def _delete(self, folder: Path) -> None:
        trash = self._root / _TRASH / f"{folder.name}.{secrets.token_hex(4)}"
        trash.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Out of sight in one step, then removed at leisure: a reader never sees half a version.
            folder.rename(trash)
        except FileNotFoundError:
            return
        except OSError:  # a version recorded outside the store's folder, on another filesystem
            trash = folder
        shutil.rmtree(trash, ignore_errors=True)


def _is_version(name: str) -> bool:
    """A version's folder, not the store's own (staging, trash) nor one a crashed trainer left (`<name>.partial`)."""
    try:
        check_version_name(name)
    except ValueError:
        return False
    return not name.endswith(".partial")

"""Port: the model store, where trained versions live for every host that trains or serves them."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredFile:
    path: str
    """Relative to the version's folder, "/"-separated."""
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class VersionManifest:
    """A published version's files, each with its size and sha256: what every copy is checked against."""

    name: str
    files: tuple[StoredFile, ...]

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)

    def has_folder(self, folder: str) -> bool:
        """Whether the version holds files under `folder` (a transformer's "bert", say)."""
        return any(file.path.startswith(f"{folder}/") for file in self.files)


@dataclass(frozen=True, slots=True)
class StoreUsage:
    versions: int
    bytes: int


class ModelStoreUnavailable(Exception):
    """The store could not be reached, or failed to answer: nothing is known to be wrong with the version, and the
    same call may succeed later."""


class CorruptVersion(Exception):
    """The version is not in the store, or a file of it is missing or differs from the manifest (size or sha256)."""


class ModelStore(Protocol):
    """Where trained model versions live: a version is a folder of files, published once and never changed.

    Contract:
    - `staging_area()` is a local folder under which a trainer assembles a version before publishing it (on the
      store's own filesystem where that makes publishing a rename).
    - `publish(staging, name)` makes the complete folder `staging` the version `name` and returns its location
      (what `ModelVersion.location` records). Atomic: until it returns the version is neither listed nor opened;
      afterwards it is there whole, with its manifest (every file's size and sha256). The staging folder is
      consumed. A name already published raises FileExistsError.
    - `open(location)` hands out a local folder holding the version's files, every one checked against the
      manifest first; nothing missing, partial or different is ever handed out (CorruptVersion). The folder must
      not be written to; it stays as it is until the context exits. A remote store downloads a version once into
      this host's cache and keeps a bounded number of versions there.
    - `manifest(location)` is the version's manifest, without fetching its files.
    - `versions()` lists the locations of every published version; `delete(location)` removes one from the
      store and from this host's cache (a location already gone is no error); `usage()` counts versions and bytes.
    - A store that cannot be reached raises ModelStoreUnavailable, never CorruptVersion: an outage never condemns
      a version. Everything runs off the event loop.
    """

    def staging_area(self) -> str: ...

    async def publish(self, staging: str, name: str) -> str: ...

    def open(self, location: str) -> AbstractAsyncContextManager[str]: ...

    async def manifest(self, location: str) -> VersionManifest: ...

    async def versions(self) -> list[str]: ...

    async def delete(self, location: str) -> None: ...

    async def usage(self) -> StoreUsage: ...

"""This host's copies of versions fetched from a remote model store."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Collection
from pathlib import Path

from adapters.outbound.model_store.manifests import (
    MANIFEST_FILE,
    check_file,
    check_folder,
    read_manifest,
    write_manifest,
)
from application.ports.model_store import CorruptVersion, StoredFile, VersionManifest

logger = logging.getLogger(__name__)

Download = Callable[[StoredFile, Path], None]
"""Writes one file of the version to the given path."""


class VersionCache:
    """Checked copies of versions under `root`, the `keep` most recently opened of them (and any open now).

    Layout: `versions/<name>/` is a complete copy with the manifest it matched; `incoming/` holds downloads in
    progress, each renamed into `versions/` only once every file matched the manifest, so a copy is whole or
    absent even when a process dies mid-download; `staging/` is where a trainer on this host assembles versions
    before publishing them. Several processes may share one cache (`serve --workers N`): each downloads into its
    own incoming folder and the first rename wins. A copy is checked against the manifest again each time it is
    handed out: one damaged on this disk is dropped and fetched anew. Blocking: call from a thread.
    """

    def __init__(self, root: Path, keep: int) -> None:
        if keep < 1:
            raise ValueError("the cache must keep at least one version")
        self._root = root
        self._keep = keep

    def staging_area(self) -> Path:
        return self._root / "staging"

    def copy_of(self, manifest: VersionManifest) -> Path | None:
        """The checked local copy of the version, or None when there is none (or it no longer matches)."""
        folder = self._root / "versions" / manifest.name
        try:
            recorded = read_manifest(folder, manifest.name)
            if recorded is None:
                return None
            if recorded != manifest:
                raise CorruptVersion(f"version {manifest.name}: the copy was fetched for another manifest")
            check_folder(folder, manifest)
        except (CorruptVersion, OSError) as damage:
            logger.warning("dropping this host's copy of model version %s: %s", manifest.name, damage)
            self._discard(folder)
            return None
        _mark_used(folder)
        return folder

    def fetch(self, manifest: VersionManifest, download: Download) -> Path:
        """Downloads every file of the version, checks it against the manifest and installs the copy; raises
        CorruptVersion (leaving nothing behind) when a file does not match."""
        incoming_root = self._root / "incoming"
        incoming_root.mkdir(parents=True, exist_ok=True)
        incoming = Path(tempfile.mkdtemp(prefix=f"{manifest.name}.", dir=incoming_root))
        try:
            for stored in manifest.files:
                target = incoming / stored.path
                target.parent.mkdir(parents=True, exist_ok=True)
                download(stored, target)
                check_file(target, stored, manifest.name)
            write_manifest(incoming, manifest)
            return self._install(incoming, manifest)
        finally:
            shutil.rmtree(incoming, ignore_errors=True)

    def remove(self, name: str) -> None:
        self._discard(self._root / "versions" / name)

    def evict(self, open_now: Collection[str], published: Collection[str] | None) -> None:
        """Drops copies of versions no longer `published` (when that is known), then all but the `keep` most
        recently used, never one `open_now`."""
        copies = self._copies_newest_first()
        gone = [name for name in copies if published is not None and name not in published]
        stale = [name for name in copies if name not in gone][self._keep :]
        for name in gone + stale:
            if name not in open_now:
                self.remove(name)

    def _install(self, incoming: Path, manifest: VersionManifest) -> Path:
        target = self._root / "versions" / manifest.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            incoming.rename(target)
            _mark_used(target)
            return target
        except OSError:  # another process installed its copy first
            installed = self.copy_of(manifest)
            if installed is None:
                raise
            return installed

    def _copies_newest_first(self) -> list[str]:
        used: dict[str, float] = {}
        try:
            entries = list(os.scandir(self._root / "versions"))
        except FileNotFoundError:
            return []
        for entry in entries:
            try:
                used[entry.name] = (Path(entry.path) / MANIFEST_FILE).stat().st_mtime
            except OSError:
                used[entry.name] = 0.0
        return sorted(used, key=lambda name: used[name], reverse=True)

    def _discard(self, folder: Path) -> None:
        trash = self._root / "trash" / f"{folder.name}.{secrets.token_hex(4)}"
        trash.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.rename(trash)  # out of sight in one step, removed at leisure
        except FileNotFoundError:
            return
        shutil.rmtree(trash, ignore_errors=True)


def _mark_used(folder: Path) -> None:
    """Stamps the copy as the most recently used, for eviction: the manifest's modification time, set to the
    nanosecond (a plain touch takes the filesystem's coarser clock, which can tie two quick opens)."""
    now = time.time_ns()
    os.utime(folder / MANIFEST_FILE, ns=(now, now))

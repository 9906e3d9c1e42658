"""A version's manifest: how it is computed from a folder, written as JSON, read back, and checked against a copy.

Every store adapter uses these, so a version published by one host and opened on another is checked by the same
rules: the copy holds exactly the manifest's files (none missing, none extra), each of its size and sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath

from application.ports.model_store import CorruptVersion, StoredFile, VersionManifest

MANIFEST_FILE = "manifest.sha256.json"
"""Beside the version's files; not one of them. Its presence is what makes a version published."""
_FORMAT = 1
_CHUNK = 1 << 20


def describe_folder(folder: Path, name: str) -> VersionManifest:
    """The manifest of every file under `folder` (reads each file once)."""
    files = [
        StoredFile(relative, path.stat().st_size, file_sha256(path))
        for relative, path in sorted(_files(folder).items())
    ]
    return VersionManifest(name, tuple(files))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_folder(folder: Path, manifest: VersionManifest) -> None:
    """Raises CorruptVersion unless `folder` holds exactly the manifest's files with their sizes and sha256."""
    present = _files(folder)
    expected = {file.path for file in manifest.files}
    extra = sorted(set(present) - expected)
    if extra:
        raise CorruptVersion(f"version {manifest.name}: {extra[0]} is not in its manifest")
    for file in manifest.files:
        path = present.get(file.path)
        if path is None:
            raise CorruptVersion(f"version {manifest.name}: {file.path} is missing")
        check_file(path, file, manifest.name)


def check_file(path: Path, expected: StoredFile, version: str) -> None:
    size = path.stat().st_size
    if size != expected.size:
        raise CorruptVersion(f"version {version}: {expected.path} has {size} bytes, its manifest says {expected.size}")
    if file_sha256(path) != expected.sha256:
        raise CorruptVersion(f"version {version}: the sha256 of {expected.path} differs from its manifest")


def manifest_json(manifest: VersionManifest) -> bytes:
    files = [{"path": file.path, "size": file.size, "sha256": file.sha256} for file in manifest.files]
    return json.dumps({"format": _FORMAT, "name": manifest.name, "files": files}, indent=1).encode()


def parse_manifest(raw: bytes, name: str) -> VersionManifest:
    """The manifest in `raw`; CorruptVersion when it is not one, names another version, or names a file outside
    the version's folder (a copy is written where the manifest says, so a path like ../x must never pass)."""
    try:
        document = json.loads(raw)
        if document["format"] != _FORMAT or document["name"] != name:
            raise ValueError("another format or another version")
        files = tuple(StoredFile(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in document["files"])
    except (ValueError, KeyError, TypeError) as error:
        raise CorruptVersion(f"version {name}: unreadable manifest ({error})") from None
    for file in files:
        if not _is_plain_relative(file.path) or file.path == MANIFEST_FILE or file.size < 0:
            raise CorruptVersion(f"version {name}: the manifest names {file.path!r}")
    return VersionManifest(name, files)


def write_manifest(folder: Path, manifest: VersionManifest) -> None:
    (folder / MANIFEST_FILE).write_bytes(manifest_json(manifest))


def read_manifest(folder: Path, name: str) -> VersionManifest | None:
    """The manifest written into `folder`, or None when it has none."""
    try:
        raw = (folder / MANIFEST_FILE).read_bytes()
    except FileNotFoundError:
        return None
    return parse_manifest(raw, name)


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in _files(folder).values())


def _files(folder: Path) -> dict[str, Path]:
    """Every regular file under `folder` but the manifest, by its "/"-separated relative path."""
    found: dict[str, Path] = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory, name)
            relative = path.relative_to(folder).as_posix()
            if relative != MANIFEST_FILE and path.is_file():
                found[relative] = path
    return found


def _is_plain_relative(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return (
        bool(parts)
        and not path.startswith("/")
        and "\\" not in path
        and all(part not in ("", ".", "..") for part in parts)
        and str(PurePosixPath(*parts)) == path
    )


def check_version_name(name: str) -> str:
    """`name` when it can name a version's folder or key prefix: letters, digits, ".", "_", "-", not leading "."."""
    if not name or name[0] in ".-" or any(not (char.isascii() and (char.isalnum() or char in "._-")) for char in name):
        raise ValueError(f"{name!r} cannot name a model version")
    return name

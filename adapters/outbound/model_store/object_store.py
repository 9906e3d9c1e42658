"""ModelStore over an S3-compatible bucket (MODEL_STORE_URL=s3://bucket/prefix), for several hosts."""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from adapters.outbound.model_store.manifests import (
    MANIFEST_FILE,
    check_version_name,
    describe_folder,
    manifest_json,
    parse_manifest,
)
from adapters.outbound.model_store.version_cache import VersionCache
from application.ports.model_store import (
    CorruptVersion,
    ModelStoreUnavailable,
    StoredFile,
    StoreUsage,
    VersionManifest,
)

logger = logging.getLogger(__name__)
_MISSING = {"NoSuchKey", "404", "NotFound"}
_DELETE_BATCH = 1000
"""The most keys one DeleteObjects request may name."""


def s3_client() -> Any:
    """A boto3 S3 client configured by the usual AWS variables (AWS_ENDPOINT_URL for a service other than AWS,
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_REGION), or a profile, or the host's role."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=10, read_timeout=120)
    return boto3.session.Session().client("s3", config=config)


class ObjectModelStore:
    """Implements ModelStore over `bucket`, under `prefix`, through boto3; `cache` keeps this host's copies.

    A version `<name>` is the objects `<prefix>/<name>/<file>` and then `<prefix>/<name>/manifest.sha256.json`,
    uploaded last: a version exists once its manifest does, so no host ever sees one half uploaded, and deleting
    removes the manifest first. A location is the version's name. `open` downloads a version once into the cache,
    checks every file against the manifest and hands out the cached copy; each open also drops cached copies of
    versions deleted from the bucket and those beyond the cache's count. boto3 blocks, so each call runs in a
    thread; a failed or refused request is ModelStoreUnavailable, a missing manifest or a file that differs from
    it CorruptVersion.
    """

    def __init__(
        self, bucket: str, prefix: str, cache: VersionCache, client_factory: Callable[[], Any] = s3_client
    ) -> None:
        self._bucket = bucket
        self._prefix = prefix.strip("/")
        self._cache = cache
        self._client_factory = client_factory
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._open_now: Counter[str] = Counter()

    def staging_area(self) -> str:
        return str(self._cache.staging_area())

    async def publish(self, staging: str, name: str) -> str:
        return await asyncio.to_thread(self._publish, Path(staging), check_version_name(name))

    @asynccontextmanager
    async def open(self, location: str) -> AsyncIterator[str]:
        manifest = await self.manifest(location)
        self._open_now[location] += 1
        try:
            folder = await asyncio.to_thread(self._local_copy, manifest)
            yield str(folder)
        finally:
            self._open_now[location] -= 1
            await self._evict()

    async def manifest(self, location: str) -> VersionManifest:
        try:
            name = check_version_name(location)
        except ValueError:
            raise CorruptVersion(f"{location!r} is no version of the object store (a folder path?)") from None
        return await asyncio.to_thread(self._manifest, name)

    async def versions(self) -> list[str]:
        return sorted(name for name, objects in (await asyncio.to_thread(self._objects)).items() if objects.published)

    async def delete(self, location: str) -> None:
        await asyncio.to_thread(self._delete, check_version_name(location))

    async def usage(self) -> StoreUsage:
        published = [objects for objects in (await asyncio.to_thread(self._objects)).values() if objects.published]
        return StoreUsage(len(published), sum(objects.bytes for objects in published))

    def _publish(self, staging: Path, name: str) -> str:
        manifest = describe_folder(staging, name)
        with self._requests(f"publish model version {name}") as client:
            if self._exists(client, self._key(name, MANIFEST_FILE)):
                raise FileExistsError(f"model version {name} is already in {self}")
            for stored in manifest.files:
                client.upload_file(str(staging / stored.path), self._bucket, self._key(name, stored.path))
            client.put_object(Bucket=self._bucket, Key=self._key(name, MANIFEST_FILE), Body=manifest_json(manifest))
        shutil.rmtree(staging, ignore_errors=True)
        logger.info("published model version %s to %s (%d bytes)", name, self, manifest.size)
        return name

    def _manifest(self, name: str) -> VersionManifest:
        with self._requests(f"read the manifest of model version {name}") as client:
            try:
                answer = client.get_object(Bucket=self._bucket, Key=self._key(name, MANIFEST_FILE))
            except Exception as error:
                if _code(error) in _MISSING:
                    raise CorruptVersion(f"no model version {name} in {self}") from None
                raise
            raw = answer["Body"].read()
        return parse_manifest(raw, name)

    def _local_copy(self, manifest: VersionManifest) -> Path:
        copy = self._cache.copy_of(manifest)
        if copy is not None:
            return copy
        logger.info("downloading model version %s from %s (%d bytes)", manifest.name, self, manifest.size)
        return self._cache.fetch(manifest, lambda stored, target: self._download(manifest.name, stored, target))

    def _download(self, name: str, stored: StoredFile, target: Path) -> None:
        with self._requests(f"download model version {name}") as client:
            try:
                client.download_file(self._bucket, self._key(name, stored.path), str(target))
            except Exception as error:
                if _code(error) in _MISSING:
                    raise CorruptVersion(f"version {name}: {stored.path} is missing from {self}") from None
                raise

    async def _evict(self) -> None:
        """Best effort: a cache a little over its count is no reason to fail the open it follows."""
        try:
            published: list[str] | None = await self.versions()
        except ModelStoreUnavailable:
            published = None
        open_now = {name for name, count in self._open_now.items() if count > 0}
        try:
            await asyncio.to_thread(self._cache.evict, open_now, published)
        except OSError:
            logger.warning("could not trim the model cache", exc_info=True)

    def _delete(self, name: str) -> None:
        with self._requests(f"delete model version {name}") as client:
            client.delete_object(Bucket=self._bucket, Key=self._key(name, MANIFEST_FILE))
            keys = [item["Key"] for item in self._list(client, self._key(name, ""))]
            for start in range(0, len(keys), _DELETE_BATCH):
                batch = [{"Key": key} for key in keys[start : start + _DELETE_BATCH]]
                client.delete_objects(Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True})
        self._cache.remove(name)

    def _objects(self) -> dict[str, _VersionObjects]:
        """Every object under the prefix, grouped by version."""
        grouped: dict[str, _VersionObjects] = {}
        root = self._key("", "")
        with self._requests("list the model versions") as client:
            for item in self._list(client, root):
                name, _, file = item["Key"][len(root) :].partition("/")
                if not file:
                    continue
                objects = grouped.setdefault(name, _VersionObjects())
                if file == MANIFEST_FILE:
                    objects.published = True
                else:
                    objects.bytes += int(item["Size"])
        return grouped

    def _list(self, client: Any, prefix: str) -> Iterator[dict[str, Any]]:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def _exists(self, client: Any, key: str) -> bool:
        try:
            client.head_object(Bucket=self._bucket, Key=key)
        except Exception as error:
            if _code(error) in _MISSING:
                return False
            raise
        return True

    def _key(self, name: str, file: str) -> str:
        """`<prefix>/<name>/<file>`; with an empty `name`, the prefix under which every version lies."""
        parts = [part for part in (self._prefix, name) if part]
        return "/".join(parts) + "/" + file if parts else file

    @contextmanager
    def _requests(self, doing: str) -> Iterator[Any]:
        """The client, with boto3's failures turned into ModelStoreUnavailable (ours pass through)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield self._s3()
        except (BotoCoreError, ClientError) as error:
            reason = _code(error) or type(error).__name__
            raise ModelStoreUnavailable(f"could not {doing} in {self}: {reason}") from None

    def _s3(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def __str__(self) -> str:
        return f"s3://{self._bucket}/{self._prefix}" if self._prefix else f"s3://{self._bucket}"


class _VersionObjects:
    __slots__ = ("published", "bytes")

    def __init__(self) -> None:
        self.published = False
        self.bytes = 0


def _code(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code")) if isinstance(response, dict) else None

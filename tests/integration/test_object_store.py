"""The object store over a real S3 API (moto's server): the model store contract, and each host's cache."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.outbound.model_store.object_store import ObjectModelStore, s3_client
from adapters.outbound.model_store.version_cache import VersionCache
from application.ports.model_store import CorruptVersion, ModelStoreUnavailable
from tests.model_store_contract import FILES, ModelStoreContract, Tamper, read_all, stage

pytestmark = pytest.mark.integration
PREFIX = "ticket-utils/models"


class CountingClient:
    """boto3's client, counting the files it downloads."""

    def __init__(self) -> None:
        self.client = s3_client()
        self.downloads: list[str] = []

    def download_file(self, bucket: str, key: str, target: str) -> None:
        self.downloads.append(key)
        self.client.download_file(bucket, key, target)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def host(bucket: str, cache: Path, keep: int = 2, client: Callable[[], Any] = s3_client) -> ObjectModelStore:
    """One host's view of the bucket: the same objects, its own cache."""
    return ObjectModelStore(bucket, PREFIX, VersionCache(cache, keep), client)


def tamper_in(bucket: str) -> Tamper:
    def tamper(location: str, path: str, data: bytes | None) -> None:
        key = f"{PREFIX}/{location}/{path}"
        if data is None:
            s3_client().delete_object(Bucket=bucket, Key=key)
        else:
            s3_client().put_object(Bucket=bucket, Key=key, Body=data)

    return tamper


class TestObjectModelStore(ModelStoreContract):
    @pytest.fixture
    def store(self, s3_bucket: str, tmp_path: Path) -> ObjectModelStore:
        return host(s3_bucket, tmp_path / "cache")

    @pytest.fixture
    def tamper(self, s3_bucket: str) -> Tamper:
        return tamper_in(s3_bucket)


async def test_a_host_downloads_a_version_once_and_opens_its_checked_copy_after(s3_bucket: str, tmp_path: Path) -> None:
    trainer = host(s3_bucket, tmp_path / "worker")
    location = await trainer.publish(stage(trainer, "v1"), "v1")
    counting = CountingClient()
    api = host(s3_bucket, tmp_path / "api", client=lambda: counting)
    for _ in range(3):
        async with api.open(location) as folder:
            assert read_all(folder)["bert/model.safetensors"] == FILES["bert/model.safetensors"]
    assert sorted(counting.downloads) == sorted(f"{PREFIX}/v1/{path}" for path in FILES)


async def test_a_tampered_bucket_is_refused_by_a_new_host_while_a_checked_copy_keeps_serving(
    s3_bucket: str, tmp_path: Path
) -> None:
    trainer = host(s3_bucket, tmp_path / "worker")
    location = await trainer.publish(stage(trainer, "v1"), "v1")
    early = host(s3_bucket, tmp_path / "early")
    async with early.open(location):
        pass
    tamper_in(s3_bucket)(location, "linear/coef.npy", b"\x93NUMPY" + b"\x02" * 1000)

    late = host(s3_bucket, tmp_path / "late")
    with pytest.raises(CorruptVersion, match="sha256 of linear/coef.npy"):
        async with late.open(location):
            pass
    leftovers = [path for path in (tmp_path / "late").rglob("*") if path.is_file()]
    assert leftovers == [], "nothing of a refused download stays in the cache"
    async with early.open(location) as folder:
        assert read_all(folder)["linear/coef.npy"] == FILES["linear/coef.npy"], "the copy checked when downloaded"


async def test_a_copy_damaged_on_this_host_is_fetched_again(s3_bucket: str, tmp_path: Path) -> None:
    store = host(s3_bucket, tmp_path / "cache")
    location = await store.publish(stage(store, "v1"), "v1")
    async with store.open(location) as folder:
        Path(folder, "model.json").write_bytes(b"damaged")
    async with store.open(location) as folder:
        assert Path(folder, "model.json").read_bytes() == FILES["model.json"]


async def test_the_cache_keeps_the_most_recent_versions_and_drops_deleted_ones(s3_bucket: str, tmp_path: Path) -> None:
    trainer = host(s3_bucket, tmp_path / "worker")
    names = [await trainer.publish(stage(trainer, f"v{n}", {"model.json": b"{}"}), f"v{n}") for n in range(1, 5)]
    api = host(s3_bucket, tmp_path / "api", keep=2)

    def cached() -> set[str]:
        return {path.name for path in (tmp_path / "api" / "versions").iterdir()}

    for name in names[:3]:
        async with api.open(name):
            pass
    assert cached() == {"v2", "v3"}
    async with api.open("v1"):
        async with api.open("v2"), api.open("v4"):
            assert cached() >= {"v1", "v2", "v4"}, "a version open now is never evicted"
    assert cached() == {"v2", "v4"}
    await trainer.delete("v4")
    async with api.open("v1"):
        pass
    assert cached() == {"v1", "v2"}, "a version deleted from the store leaves every cache at its next open"


async def test_files_uploaded_without_their_manifest_are_no_version(s3_bucket: str, tmp_path: Path) -> None:
    s3_client().put_object(Bucket=s3_bucket, Key=f"{PREFIX}/v1/model.json", Body=b"{}")
    store = host(s3_bucket, tmp_path / "cache")
    assert await store.versions() == [] and (await store.usage()).versions == 0
    with pytest.raises(CorruptVersion, match="no model version v1"):
        async with store.open("v1"):
            pass
    with pytest.raises(CorruptVersion):
        await store.manifest("/var/lib/models/v1")


async def test_an_unreachable_store_is_an_outage_not_a_corrupt_version(tmp_path: Path, s3_endpoint: str) -> None:
    import boto3
    from botocore.config import Config

    def unreachable() -> Any:
        return boto3.session.Session().client(
            "s3",
            endpoint_url="http://127.0.0.1:9",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}, connect_timeout=2),
        )

    store = ObjectModelStore("models", PREFIX, VersionCache(tmp_path / "cache", 2), unreachable)
    with pytest.raises(ModelStoreUnavailable):
        async with store.open("v1"):
            pass
    with pytest.raises(ModelStoreUnavailable):
        await store.publish(stage(store, "v1"), "v1")
    assert Path(store.staging_area(), "v1").is_dir(), "a publish that failed leaves the staged version to retry"

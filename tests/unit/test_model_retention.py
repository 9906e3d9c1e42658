"""Retention: the model store keeps the active version, the one before it and the newest few; and word of every
change to the active version reaches the API processes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from application.services.model_retention import ModelRetention
from application.use_cases.models import ActivateModel, GetModelStoreUsage
from domain.errors import Conflict
from domain.model_versions import ModelStatus, ModelVersion, versions_to_delete
from tests.unit.test_retraining import Pipeline

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def version(id_: int, status: ModelStatus, activated_hours: int | None = None) -> ModelVersion:
    activated = T0 + timedelta(hours=activated_hours) if activated_hours is not None else None
    return ModelVersion(f"v{id_}", f"v{id_}", ("A",), status, T0 + timedelta(hours=id_), activated_at=activated, id=id_)


def test_retention_keeps_the_active_version_the_one_before_it_and_the_newest() -> None:
    versions = [
        version(8, ModelStatus.REJECTED),
        version(7, ModelStatus.BAD, 7),
        version(6, ModelStatus.RETIRED, 6),
        version(5, ModelStatus.REJECTED),
        version(4, ModelStatus.RETIRED, 9),  # rolled back to after 6 served: the previous one
        version(3, ModelStatus.DELETED, 3),
        version(2, ModelStatus.ACTIVE, 10),  # an operator's rollback to an old version
        version(1, ModelStatus.RETIRED, 1),
    ]
    assert [v.id for v in versions_to_delete(versions, keep_last=2)] == [6, 5, 1]
    assert [v.id for v in versions_to_delete(versions, keep_last=10)] == []


async def test_old_versions_leave_the_store_and_their_records_stay_as_history() -> None:
    pipeline = Pipeline()
    pipeline.add_tickets()
    pipeline.retention = ModelRetention(pipeline.uow, pipeline.store, keep_last=1)
    pipeline.job._retention = pipeline.retention
    runs = []
    for _ in range(4):
        pipeline.add_tickets(1)
        runs.append(await pipeline.run())
    versions = pipeline.uow.store.versions
    statuses = [versions[run.model_version_id].status for run in runs]
    assert statuses == [ModelStatus.DELETED, ModelStatus.DELETED, ModelStatus.RETIRED, ModelStatus.ACTIVE]
    assert await pipeline.store.versions() == ["v3", "v4"], "the active version and the one before it"
    kept = versions[runs[0].model_version_id].metrics.test
    assert kept is not None and kept.accuracy == 1.0, "the record keeps its metrics"
    usage = await GetModelStoreUsage(pipeline.store).execute()
    assert usage is not None and usage.versions == 2

    with pytest.raises(Conflict, match="deleted"):
        await ActivateModel(pipeline.uow, pipeline.clock, pipeline.changes).execute(runs[0].model_version_id)


async def test_files_a_failed_pass_left_behind_go_at_the_next_one() -> None:
    pipeline = Pipeline()
    pipeline.add_tickets()
    pipeline.add_tickets(1)
    first = await pipeline.run()
    for _ in range(2):
        pipeline.add_tickets(1)
        await pipeline.run()
    retention = ModelRetention(pipeline.uow, pipeline.store, keep_last=1)
    pipeline.store.unavailable = True
    with pytest.raises(Exception, match="down"):
        await retention.prune()
    assert pipeline.uow.store.versions[first.model_version_id].status is ModelStatus.DELETED
    assert await GetModelStoreUsage(pipeline.store).execute() is None, "the admin page says it cannot be reached"
    pipeline.store.unavailable = False
    assert "v1" in await pipeline.store.versions()
    assert await retention.prune() == []
    assert "v1" not in await pipeline.store.versions()


async def test_a_version_the_registry_does_not_know_is_left_alone() -> None:
    pipeline = Pipeline()
    pipeline.add_tickets()
    await pipeline.run()
    pipeline.store.files["foreign"] = {}
    pipeline.store.manifests["foreign"] = replace(pipeline.store.manifests["v1"], name="foreign")
    await ModelRetention(pipeline.uow, pipeline.store, keep_last=1).prune()
    assert "foreign" in await pipeline.store.versions()


async def test_promotions_and_activations_are_announced_and_a_rejected_candidate_is_not() -> None:
    pipeline = Pipeline()
    pipeline.add_tickets()
    pipeline.add_tickets(1)
    first = await pipeline.run()
    assert pipeline.changes.announced == 1
    pipeline.add_tickets(1)
    pipeline.trainer.next_rule = "poor"
    rejected = await pipeline.run()
    assert not rejected.promoted and pipeline.changes.announced == 1
    await ActivateModel(pipeline.uow, pipeline.clock, pipeline.changes).execute(first.model_version_id)
    assert pipeline.changes.announced == 2

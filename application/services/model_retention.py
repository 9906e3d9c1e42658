"""Retention: which trained versions the model store keeps, and deleting the others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from application.ports.model_store import ModelStore
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.unit_of_work import Transaction
from domain.model_versions import ModelStatus, ModelVersion, versions_to_delete

logger = logging.getLogger(__name__)


class RetentionUnitOfWork(Transaction, Protocol):
    """Retention touches the model registry only."""

    model_versions: ModelVersionRepository


class ModelRetention:
    """Keeps in the model store the active version, the one that served before it and the newest `keep_last`.

    The others are marked `deleted` in the registry first (so they can no longer be activated), then removed from
    the store and from this host's cache; their records stay as history. Files a failed earlier pass left behind
    (a deleted record whose version the store still lists) are removed again. Versions the registry does not know
    are left alone: they may be another deployment's in a shared bucket. Run by the retraining job when it ends,
    one job at a time, so no version is being published meanwhile.
    """

    def __init__(self, uow_factory: Callable[[], RetentionUnitOfWork], store: ModelStore, keep_last: int) -> None:
        self._uow_factory = uow_factory
        self._store = store
        self._keep_last = keep_last

    async def prune(self) -> list[ModelVersion]:
        """Returns the versions deleted by this pass."""
        async with self._uow_factory() as uow:
            versions = await uow.model_versions.list()
            doomed = versions_to_delete(versions, self._keep_last)
            for version in doomed:
                await uow.model_versions.update(replace(version, status=ModelStatus.DELETED))
            await uow.commit()
        deleted = [v for v in versions if v.status is ModelStatus.DELETED] + doomed
        listed = set(await self._store.versions())
        for version in deleted:
            if version.location in listed:
                await self._store.delete(version.location)
        if doomed:
            logger.info("retention deleted model versions %s", ", ".join(version.name for version in doomed))
        return doomed

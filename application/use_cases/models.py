"""The model registry: list versions, activate one (promote or roll back), keep this process serving the active one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from application.ports.clock import Clock
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.served_model import ServedModel
from application.ports.unit_of_work import Transaction
from domain.errors import NotFound
from domain.model_versions import ModelStatus, ModelVersion


class ModelRegistryUnitOfWork(Transaction, Protocol):
    """The model registry use cases touch the model versions only."""

    model_versions: ModelVersionRepository


logger = logging.getLogger(__name__)


class ListModels:
    def __init__(self, uow_factory: Callable[[], ModelRegistryUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def execute(self) -> Sequence[ModelVersion]:
        async with self._uow_factory() as uow:
            return await uow.model_versions.list()


class ActivateModel:
    """An operator's promotion or rollback: the chosen version becomes active, the current one retires."""

    def __init__(self, uow_factory: Callable[[], ModelRegistryUnitOfWork], clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def execute(self, version_id: int) -> ModelVersion:
        async with self._uow_factory() as uow:
            chosen = await uow.model_versions.get(version_id)
            if chosen is None:
                raise NotFound("Model version", version_id)
            current = await uow.model_versions.active()
            if current is not None and current.id != chosen.id:
                await uow.model_versions.update(replace(current, status=ModelStatus.RETIRED))
            activated = replace(chosen, status=ModelStatus.ACTIVE, activated_at=self._clock.now(), note="activated by an operator")
            await uow.model_versions.update(activated)
            await uow.commit()
        return activated


class SyncServedModel:
    """Makes this process serve the registry's active version; a version that fails to load is marked bad.

    Run every few seconds by every API process, so a promotion anywhere reaches all of them.
    """

    def __init__(self, uow_factory: Callable[[], ModelRegistryUnitOfWork], served: ServedModel) -> None:
        self._uow_factory = uow_factory
        self._served = served

    async def execute(self) -> int | None:
        async with self._uow_factory() as uow:
            active = await uow.model_versions.active()
        if active is None or active.id == self._served.serving_version_id():
            # No active version (never trained, or the last one went bad): keep serving what is loaded.
            return self._served.serving_version_id()
        try:
            await self._served.serve(active)
            logger.info("now serving model version %s (%s)", active.id, active.name)
        except Exception as error:  # noqa: BLE001 - whatever broke the load, the old model keeps serving
            logger.error("model version %s failed to load, marking it bad: %s", active.id, error)
            async with self._uow_factory() as uow:
                current = await uow.model_versions.get(active.id or 0)
                if current is not None and current.status is ModelStatus.ACTIVE:
                    await uow.model_versions.update(
                        replace(current, status=ModelStatus.BAD, note=f"failed to load: {type(error).__name__}: {error}")
                    )
                    await uow.commit()
        return self._served.serving_version_id()

"""The model registry: list versions, activate one (promote or roll back), keep this process serving the active one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from application.ports.clock import Clock
from application.ports.model_store import ModelStore, ModelStoreUnavailable, StoreUsage
from application.ports.model_version_repository import ModelVersionRepository
from application.ports.registry_changes import RegistryChanges
from application.ports.served_model import ServedModel
from application.ports.unit_of_work import Transaction
from domain.errors import Conflict, NotFound
from domain.model_versions import ModelStatus, ModelVersion, newest_good_version


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


class GetModelStoreUsage:
    """How many versions the model store holds and their size; None while the store cannot be reached."""

    def __init__(self, store: ModelStore) -> None:
        self._store = store

    async def execute(self) -> StoreUsage | None:
        try:
            return await self._store.usage()
        except ModelStoreUnavailable:
            logger.warning("could not measure the model store", exc_info=True)
            return None


class ActivateModel:
    """An operator's promotion or rollback: the chosen version becomes active, the current one retires, and every
    API process is told to check the registry now. A version whose files retention deleted cannot come back."""

    def __init__(
        self, uow_factory: Callable[[], ModelRegistryUnitOfWork], clock: Clock, changes: RegistryChanges
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._changes = changes

    async def execute(self, version_id: int) -> ModelVersion:
        async with self._uow_factory() as uow:
            chosen = await uow.model_versions.get(version_id)
            if chosen is None:
                raise NotFound("Model version", version_id)
            if chosen.status is ModelStatus.DELETED:
                raise Conflict(f"Model version {version_id} ({chosen.name}) was deleted from the model store.")
            current = await uow.model_versions.active()
            if current is not None and current.id != chosen.id:
                await uow.model_versions.update(replace(current, status=ModelStatus.RETIRED))
            activated = replace(
                chosen, status=ModelStatus.ACTIVE, activated_at=self._clock.now(), note="activated by an operator"
            )
            await uow.model_versions.update(activated)
            await uow.commit()
        await self._changes.announce()
        return activated


class SyncServedModel:
    """Makes this process serve the registry's active version.

    A version that fails to load (truncated weights, a corrupt version activated) is marked `bad` with the reason
    in its note, and in the same transaction the newest good version (the most recently activated retired one)
    becomes active again in the registry, so every process and every restart serves it; that one is then loaded
    in turn. Run every few seconds by every API process, so a promotion anywhere reaches all of them; the first
    completed check makes the served model ready (`ServedModel.mark_in_step`). A model store that cannot be
    reached condemns no version: ModelStoreUnavailable propagates, what was served keeps serving, and the next
    check tries again.
    """

    def __init__(self, uow_factory: Callable[[], ModelRegistryUnitOfWork], served: ServedModel, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._served = served
        self._clock = clock

    async def execute(self) -> int | None:
        # Bounded: each round either serves, finds nothing to change, or marks one more version bad.
        for _ in range(_MAX_FALLBACKS):
            async with self._uow_factory() as uow:
                active = await uow.model_versions.active()
            if active is None or active.id == self._served.serving_version_id():
                # No active version (never trained, or none good is left): keep serving what is loaded.
                break
            try:
                await self._served.serve(active)
            except ModelStoreUnavailable:
                raise
            except Exception as error:  # noqa: BLE001 - whatever broke the load, the old model keeps serving
                logger.error("model version %s failed to load, marking it bad: %s", active.id, error)
                await self._mark_bad_and_fall_back(active, f"failed to load: {type(error).__name__}: {error}")
                continue
            logger.info("now serving model version %s (%s)", active.id, active.name)
            break
        self._served.mark_in_step()
        return self._served.serving_version_id()

    async def _mark_bad_and_fall_back(self, broken: ModelVersion, reason: str) -> None:
        async with self._uow_factory() as uow:
            current = await uow.model_versions.get(broken.id or 0)
            if current is None or current.status is not ModelStatus.ACTIVE:
                return  # another process got there first
            await uow.model_versions.update(replace(current, status=ModelStatus.BAD, note=reason))
            fallback = newest_good_version(await uow.model_versions.list(), excluding=current.id)
            if fallback is not None:
                note = f"active again: version {current.id} ({current.name}) {reason}"
                await uow.model_versions.update(
                    replace(fallback, status=ModelStatus.ACTIVE, activated_at=self._clock.now(), note=note)
                )
                logger.warning("model version %s (%s) is active again in its place", fallback.id, fallback.name)
            await uow.commit()


_MAX_FALLBACKS = 20

"""Port: the model registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.model_versions import ModelVersion


class ModelVersionRepository(Protocol):
    """Trained model versions and their status.

    Contract: `add` assigns a new id; versions read back exactly as written. Writes wait for the unit of work's
    commit.
    """

    async def add(self, version: ModelVersion) -> ModelVersion: ...

    async def get(self, version_id: int) -> ModelVersion | None: ...

    async def list(self) -> Sequence[ModelVersion]:
        """Newest first (highest id first)."""
        ...

    async def active(self) -> ModelVersion | None:
        """The ACTIVE version. Should inconsistent data hold several, the most recently activated one (one
        never activated comes last; a tie goes to the highest id)."""
        ...

    async def update(self, version: ModelVersion) -> None: ...

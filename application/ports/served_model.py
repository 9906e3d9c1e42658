from __future__ import annotations

from typing import Protocol

from domain.model_versions import ModelVersion


class ServedModel(Protocol):
    """The category model this process answers with, swappable while requests are in flight.

    Contract: `serve` opens the version through the model store, loads it off the event loop and switches to it
    atomically (requests already running finish on the old one); when loading fails it raises and the previous
    model keeps serving: ModelStoreUnavailable when its files could not be fetched now, anything else when the
    version itself is broken (CorruptVersion for files that differ from its manifest).
    `serve(None)` goes back to the built-in zero-shot classifier. Until `mark_in_step` is first called, the
    model reports itself not ready: the registry has not been checked, so what serves may not be what should.
    """

    def serving_version_id(self) -> int | None: ...

    def serving_version_name(self) -> str | None:
        """The name of the version that serves; None while the built-in zero-shot classifier does."""
        ...

    def mark_in_step(self) -> None:
        """This process now serves what the registry says (its active version, or none)."""
        ...

    async def serve(self, version: ModelVersion | None) -> None: ...

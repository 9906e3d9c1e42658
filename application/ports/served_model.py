from __future__ import annotations

from typing import Protocol

from domain.model_versions import ModelVersion


class ServedModel(Protocol):
    """The category model this process answers with, swappable while requests are in flight.

    Contract: `serve` loads the version off the event loop and switches to it atomically (requests already
    running finish on the old one); when loading fails it raises and the previous model keeps serving.
    `serve(None)` goes back to the built-in zero-shot classifier.
    """

    def serving_version_id(self) -> int | None: ...

    async def serve(self, version: ModelVersion | None) -> None: ...

"""Port: word to every API process that the model registry's active version changed."""

from __future__ import annotations

from typing import Protocol


class RegistryChanges(Protocol):
    """Tells the API processes to check the registry now instead of at their next poll (MODEL_POLL_SECONDS).

    Contract: `announce` is best effort and never raises: an announcement lost on the way only means each process
    notices the change at its next poll. It carries no state: whoever hears it reads the registry.
    """

    async def announce(self) -> None: ...

"""Registry changes announced over Redis pub/sub (with a broker), so every API process on every host checks now."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

CHANNEL = "ticket-utils:model-registry"
_RETRY_S = (1.0, 2.0, 5.0, 10.0, 30.0)


class RedisRegistryChanges:
    """Implements RegistryChanges by publishing on a Redis channel; `listen` is the API processes' side.

    Pub/sub keeps nothing for a subscriber that is away, which is why it only hastens what polling guarantees:
    a listener that (re)connects reports a change at once, since it may have missed one meanwhile.
    """

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self._url = url
        self._channel = channel

    async def announce(self) -> None:
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        client = Redis.from_url(self._url)
        try:
            await client.publish(self._channel, b"changed")
        except (RedisError, OSError) as error:
            logger.warning(
                "could not announce the model registry change (processes notice it at their next poll): %s", error
            )
        finally:
            await client.aclose()

    async def listen(self, on_change: Callable[[], None]) -> None:
        """Calls `on_change` for every announcement, reconnecting after a failure; runs until cancelled."""
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        failures = 0
        while True:
            client = Redis.from_url(self._url)
            try:
                async with client.pubsub() as subscription:
                    await subscription.subscribe(self._channel)
                    on_change()
                    failures = 0
                    async for message in subscription.listen():
                        if message.get("type") == "message":
                            on_change()
            except (RedisError, OSError) as error:
                if failures == 0:
                    logger.warning("lost the model registry announcements (polling goes on): %s", error)
                await asyncio.sleep(_RETRY_S[min(failures, len(_RETRY_S) - 1)])
                failures += 1
            finally:
                await client.aclose()

"""Fireside's channel layers: Channels' own, with a way to publish a batch of group
messages at once (a batch of sends produces two events per message)."""

import time
from collections.abc import Sequence
from typing import Any

from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

GroupMessages = Sequence[tuple[str, dict[str, Any]]]


class InProcessChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    """Channels' in-memory layer, sweeping for expired messages at most once a second.

    The stock layer sweeps every channel and every group on each send and group send: at
    1,000 open sockets that sweep is most of the cost of a push (FIELD-NOTES: the layer falls
    from 2,600 to 900 msg/s). Expiry is measured in minutes, so a sweep a second loses
    nothing."""

    SWEEP_EVERY = 1.0

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < self.SWEEP_EVERY:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send_many(self, messages: GroupMessages) -> None:
        for group, message in messages:
            await self.group_send(group, message)


class PubSubChannelLayer(RedisPubSubChannelLayer):  # type: ignore[misc]
    """channels-redis's pub/sub layer, publishing a batch in one pipelined round trip.

    Its group_send takes the shard's lock and waits for one PUBLISH at a time: with two
    events per message that was a sixth of a busy process's time (py-spy under
    bench/delivery.py). This reaches into the layer's internals, which is why the version
    is pinned and tests/server and the live tests run it on real Redis in CI."""

    async def group_send_many(self, messages: GroupMessages) -> None:
        layer = self._get_layer()
        by_shard: dict[Any, list[tuple[str, bytes]]] = {}
        for group, message in messages:
            channel = layer._get_group_channel_name(group)
            shard = layer._get_shard(channel)
            by_shard.setdefault(shard, []).append((channel, self.serialize(message)))
        for shard, published in by_shard.items():
            async with shard._lock:
                shard._ensure_redis()
                async with shard._redis.pipeline(transaction=False) as pipe:
                    for channel, data in published:
                        pipe.publish(channel, data)
                    await pipe.execute()

"""The suite runs against the backends CI asked for, through real connections: a run meant
for PostgreSQL and Redis fails here rather than quietly testing SQLite and local memory."""

import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def test_database_is_the_one_configured(db):
    expected = os.environ.get(
        "FIRESIDE_EXPECT_DB", "postgresql" if settings.DATABASE_URL else "sqlite"
    )
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_cache_round_trips_through_the_configured_backend():
    wants_redis = bool(os.environ.get("FIRESIDE_EXPECT_REDIS")) or bool(
        settings.REDIS_URL
    )
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend.endswith("RedisCache") == wants_redis
    cache.set("infrastructure-check", {"n": 1}, 30)
    assert cache.get("infrastructure-check") == {"n": 1}


def test_channel_layer_delivers_through_the_configured_backend():
    wants_redis = bool(os.environ.get("FIRESIDE_EXPECT_REDIS")) or bool(
        settings.REDIS_URL
    )
    layer = get_channel_layer()
    from channels_redis.pubsub import RedisPubSubChannelLayer

    assert isinstance(layer, RedisPubSubChannelLayer) == wants_redis

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "check", "n": 7})
        first = await layer.receive(channel)
        # The batched publish our events use, through the same backend.
        await layer.group_add("infrastructure-check", channel)
        await layer.group_send_many(
            [("infrastructure-check", {"type": "check", "n": n}) for n in (8, 9)]
        )
        return [first, await layer.receive(channel), await layer.receive(channel)]

    # A thread of its own: an earlier test (Playwright) may leave an event loop in this one.
    result = []
    worker = threading.Thread(target=lambda: result.append(async_to_sync(round_trip)()))
    worker.start()
    worker.join(timeout=30)
    assert result == [[{"type": "check", "n": n} for n in (7, 8, 9)]]

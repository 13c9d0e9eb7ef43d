"""Settings of the stock-pattern baseline (bench/stock_app.py): Fireside's own, except the
channel layer is the default a Channels tutorial sets up: the in-memory layer, or the
standard `RedisChannelLayer` when REDIS_URL is set (its pool cap raised, as otherwise
sockets past ~100 die, which would measure a crash rather than a pattern)."""

import os

from fireside.settings import *  # noqa: F403
from fireside.settings import REDIS_URL

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": 2000}],
                "prefix": os.environ.get("CHANNELS_PREFIX") or "stock",
            },
        }
    }
else:
    # Fireside's own layer is a tuned subclass; the stock pattern gets the stock one.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

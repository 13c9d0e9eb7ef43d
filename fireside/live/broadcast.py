"""The one door from domain code to the channel layer. Events are small dicts of IDs; the
consumer re-reads what it needs through visibility rules, so nothing leaks through an event.

Channel layers deliver at most once: the database stays the source of truth and clients catch
up from it. An event is sent only after its transaction commits, so nobody hears of a change
that was rolled back."""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def send_now(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        # A lost event is recoverable (clients resync from the database); a failed
        # request after a successful commit is not, so the error stops here.
        logger.warning(
            "Could not publish %s to %s", event.get("type"), group, exc_info=True
        )


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Publish EVENT to GROUP once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(group, event))

"""The one door from domain code to the channel layer. Events are small dicts, sent only to
the groups of the members who may see what they carry (a message's payload goes to its two
participants); other events are re-checked through visibility by the consumer.

Channel layers deliver at most once: the database stays the source of truth and clients catch
up from it. An event is sent only after its transaction commits, so nobody hears of a change
that was rolled back."""

import asyncio
import logging
import os
from concurrent.futures import Future
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def _consumer_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop that called into this thread through sync_to_async, if any."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    return loop if loop is not None and loop.is_running() else None


def _log_failure(future: "Future[None]") -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.warning("Could not publish an event", exc_info=future.exception())


Events = list[tuple[str, dict[str, Any]]]


async def _send_all(layer: Any, events: Events) -> None:
    try:
        if hasattr(layer, "group_send_many"):  # our layers: one round trip
            await layer.group_send_many(events)
        else:
            for group, event in events:
                await layer.group_send(group, event)
    except Exception:
        # A lost event is recoverable (clients resync from the database); a failed
        # request after a successful commit is not, so the error stops here.
        logger.warning("Could not publish %d events", len(events), exc_info=True)


def send_now(group: str, event: dict[str, Any]) -> None:
    send_many_now([(group, event)])


def send_many_now(events: Events) -> None:
    """Publish EVENTS (group, event) in order."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    loop = _consumer_loop()
    try:
        if loop is not None:
            # Called from the thread a consumer's database work runs in (one thread for
            # the whole process): hand the sends to the event loop and go on, instead of
            # holding that thread until the loop gets round to it. Sends are scheduled
            # in call order; clients order messages by seq in any case.
            future = asyncio.run_coroutine_threadsafe(_send_all(layer, events), loop)
            future.add_done_callback(_log_failure)
        else:
            async_to_sync(_send_all)(layer, events)
    except Exception:
        logger.warning("Could not publish %d events", len(events), exc_info=True)


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Publish EVENT to GROUP once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(group, event))


def broadcast_many_on_commit(events: Events) -> None:
    """Publish EVENTS, (group, event) pairs in order, once the transaction commits."""
    if events:
        transaction.on_commit(lambda: send_many_now(events))

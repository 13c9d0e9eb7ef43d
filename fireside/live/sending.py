"""Group commit for messages sent over live sockets.

Every `send` frame of a process joins one queue on its event loop. While a batch is being
written, the sends that arrive meanwhile wait and go together in the next one: at low load a
batch holds one message (no added latency), at saturation dozens share one transaction, one
thread hop and one fsync. Each sender is answered only after its batch committed."""

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async

from fireside.conversations import actions
from fireside.conversations.actions import Outgoing, Sent
from fireside.core.exceptions import DomainError

logger = logging.getLogger(__name__)

#: The most messages written in one transaction; bounds a batch's time holding the lock.
BATCH_MAX = 200


class SendQueue:
    def __init__(self) -> None:
        self.waiting: list[tuple[Outgoing, asyncio.Future[Sent]]] = []
        self.draining = False

    async def send(self, outgoing: Outgoing) -> Sent:
        """Send OUTGOING with the next batch; return it once committed, or raise the
        DomainError that refused it."""
        future: asyncio.Future[Sent] = asyncio.get_running_loop().create_future()
        self.waiting.append((outgoing, future))
        if not self.draining:
            self.draining = True
            asyncio.get_running_loop().create_task(self._drain())
        # Shielded: a socket closing mid-send must not cancel the batch's bookkeeping
        # (the message may be committed anyway, and the client catches up by seq).
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch = self.waiting[:BATCH_MAX]
                del self.waiting[:BATCH_MAX]
                try:
                    results = await database_sync_to_async(actions.send_messages)(
                        [outgoing for outgoing, _ in batch]
                    )
                except Exception as error:
                    logger.error("A batch of messages failed", exc_info=True)
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, DomainError):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self.draining = False


_queues: dict[asyncio.AbstractEventLoop, SendQueue] = {}


def send_queue() -> SendQueue:
    """The queue of the running event loop (one per process under uvicorn)."""
    loop = asyncio.get_running_loop()
    queue = _queues.get(loop)
    if queue is None:
        # A test may run many short-lived loops; forget the closed ones.
        for old in [old for old in _queues if old.is_closed()]:
            del _queues[old]
        queue = _queues[loop] = SendQueue()
    return queue


async def send(outgoing: Outgoing) -> Any:
    return await send_queue().send(outgoing)

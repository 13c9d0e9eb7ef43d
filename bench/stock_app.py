"""The stock pattern a Django developer would write, served by uvicorn as its own ASGI app
(`uvicorn bench.stock_app:application`): an AsyncJsonWebsocketConsumer that saves each
message with the ORM to the same database and `group_send`s it, whole, to a group per
conversation through the default channel layer. No visibility re-read, no gap-free
sequence, no idempotency: the baseline Fireside is compared with.

Client frames: {"conversation": id, "body": text}. Server frames: {"type": "chat",
"conversation": id, "author": member id, "body": text}. Authenticated with the same
`?token=` as Fireside, which joins nothing but the member's own conversations' groups."""

import itertools
import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stock_settings")
django_application = get_asgi_application()

from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.urls import path  # noqa: E402

from fireside.conversations.models import Conversation, Message  # noqa: E402
from fireside.live.auth import TokenAuthMiddleware  # noqa: E402

# The stock model has no per-conversation sequence; a process-wide counter far above
# Fireside's seqs (within the 32-bit column) satisfies the (conversation, seq)
# constraint with the same one INSERT.
_seq = itertools.count(1_000_000_000 + os.getpid() % 1000 * 1_000_000)


@database_sync_to_async
def conversations_of(member_id: int) -> list[int]:
    return list(
        Conversation.objects.filter(
            Q(initiator_id=member_id) | Q(recipient_id=member_id)
        ).values_list("pk", flat=True)
    )


@database_sync_to_async
def save_message(conversation_id: int, author_id: int, body: str) -> None:
    Message.objects.create(
        conversation_id=conversation_id, author_id=author_id, body=body, seq=next(_seq)
    )


class ChatConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.member_id = user.pk
        self.rooms = [f"chat_{pk}" for pk in await conversations_of(user.pk)]
        for room in self.rooms:
            await self.channel_layer.group_add(room, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for room in getattr(self, "rooms", []):
            await self.channel_layer.group_discard(room, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        conversation = int(content["conversation"])
        if f"chat_{conversation}" not in self.rooms:
            return
        await save_message(conversation, self.member_id, content["body"])
        await self.channel_layer.group_send(
            f"chat_{conversation}",
            {
                "type": "chat.message",
                "conversation": conversation,
                "author": self.member_id,
                "body": content["body"],
            },
        )

    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "chat",
                "conversation": event["conversation"],
                "author": event["author"],
                "body": event["body"],
            }
        )


application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": TokenAuthMiddleware(
            URLRouter([path("ws/", ChatConsumer.as_asgi())])
        ),
    }
)

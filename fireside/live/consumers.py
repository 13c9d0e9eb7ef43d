import hashlib
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from fireside.live.groups import member_group, session_group

# Close codes in the private range (4000-4999) that clients read as "log in again".
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4403


def session_key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


class LiveConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One socket per open page or client. It authenticates on connect, joins the member's
    groups and turns events into frames; it never writes to the database."""

    groups_joined: list[str]

    async def connect(self) -> None:
        member = self.scope.get("user")
        if member is None or not member.is_authenticated:
            # Accepted only to be closed: a close before the handshake reaches the client as
            # a bare HTTP 403, and it could not read CLOSE_UNAUTHENTICATED from it.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.groups_joined = [member_group(member.pk)]
        session = self.scope.get("session")
        if session is not None and session.session_key:
            self.groups_joined.append(
                session_group(session_key_hash(session.session_key))
            )
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "member": member.handle})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def auth_password_changed(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SESSION_ENDED)

    async def auth_logged_out(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SESSION_ENDED)

    async def auth_token_revoked(self, event: dict[str, Any]) -> None:
        if self.scope.get("token_id") == event.get("token"):
            await self.close(code=CLOSE_SESSION_ENDED)

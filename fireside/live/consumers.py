import hashlib
import json
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from fireside.conversations import actions
from fireside.conversations.actions import Outgoing
from fireside.conversations.models import Conversation
from fireside.core.exceptions import DomainError, NotFound, ValidationFailed
from fireside.dialogues.models import Dialogue
from fireside.live import sending
from fireside.live.groups import member_group, session_group

logger = logging.getLogger(__name__)

# Close codes in the private range (4000-4999) that clients read as "log in again".
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4403

NOT_FOUND_DETAIL = NotFound.default_message


def session_key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


class BadFrame(Exception):
    """A frame the protocol does not allow; `detail` says what is wrong with it."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


def _field(frame: dict[str, Any], name: str, kind: type, *, default: Any = None) -> Any:
    if name not in frame:
        if default is not None:
            return default
        raise BadFrame(f'"{name}" is missing.')
    value = frame[name]
    # bool is an int to Python, but `"conversation": true` is still a wrong frame.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadFrame(
            f'"{name}" must be {"an integer" if kind is int else "a string"}.'
        )
    return value


def _visible_conversation(member: Any, conversation_id: int) -> Conversation:
    conversation = (
        Conversation.objects.visible_to(member).filter(pk=conversation_id).first()
    )
    if conversation is None:
        raise NotFound()
    return conversation


def _mark_read(member: Any, conversation_id: int, seq: int) -> None:
    actions.mark_read(
        _visible_conversation(member, conversation_id), by=member, seq=seq
    )


def _subscription(member: Any, conversation_id: int) -> dict[str, Any]:
    conversation = _visible_conversation(member, conversation_id)
    return {
        "type": "subscribed",
        "conversation": conversation.pk,
        "state": conversation.state,
        "last_seq": conversation.last_seq,
    }


def _is_visible(member: Any, conversation_id: int) -> bool:
    return Conversation.objects.visible_to(member).filter(pk=conversation_id).exists()


def _is_own_dialogue(member: Any, dialogue_id: int) -> bool:
    return Dialogue.objects.involving(member).filter(pk=dialogue_id).exists()


class LiveConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One socket per open page or client. It authenticates on connect, joins the member's
    groups and turns events into frames; it never writes to the database itself: a `send`
    or `read` frame calls the same action the API calls.

    Client frames: send, read, subscribe, ping. Server frames: hello, message, read, state,
    request, moderation, dialogue, ack, subscribed, pong, error. A malformed frame is
    answered with an error `bad_frame` and the socket stays open."""

    groups_joined: list[str]
    member: Any = None

    async def connect(self) -> None:
        member = self.scope.get("user")
        if member is None or not member.is_authenticated:
            # Accepted only to be closed: a close before the handshake reaches the client as
            # a bare HTTP 403, and it could not read CLOSE_UNAUTHENTICATED from it.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.member = member
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

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every handler: a hop to the
        # database thread for each frame and each event, a quarter of a busy process's
        # time (py-spy, bench/delivery.py). Our handlers reach the database only through
        # database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            # An event this socket has no frame for (a newer process in a rolling
            # deploy, say) is skipped: raising would end the consumer and drop the socket.
            logger.warning("No handler for event %r on a live socket", message["type"])
            return
        await handler(message)

    # Client → server

    async def receive(
        self,
        text_data: str | None = None,
        bytes_data: bytes | None = None,
        **kwargs: Any,
    ) -> None:
        # The base class lets a JSON error escape, which ends the consumer and drops the
        # socket; a bad frame must only be answered.
        if self.member is None:
            return
        if text_data is None:
            await self._bad_frame("Frames are JSON text, not binary.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._bad_frame("The frame is not valid JSON.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        client_id = content.get("client_id") if isinstance(content, dict) else None
        try:
            if not isinstance(content, dict):
                raise BadFrame("A frame is a JSON object.")
            kind = content.get("type")
            handler = self._frame_handlers.get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise BadFrame(f"Unknown frame type {json.dumps(kind)}.")
            await handler(self, content)
        except BadFrame as error:
            await self._bad_frame(error.detail, client_id)
        except DomainError as error:
            await self._error(error, client_id, content)
        except Exception:
            logger.error("Frame failed on a live socket", exc_info=True)
            await self.send_json(
                self._with_client_id(
                    {
                        "type": "error",
                        "code": "server_error",
                        "detail": "Something went wrong; try again.",
                    },
                    client_id,
                )
            )

    async def _frame_send(self, frame: dict[str, Any]) -> None:
        conversation = _field(frame, "conversation", int)
        body = _field(frame, "body", str)
        client_id = _field(frame, "client_id", str, default="")
        sent = await sending.send(
            Outgoing(self.member, conversation, body, client_id, self.channel_name)
        )
        await self.send_json(
            {"type": "ack", "client_id": client_id, "message": sent.payload}
        )

    async def _frame_read(self, frame: dict[str, Any]) -> None:
        conversation = _field(frame, "conversation", int)
        seq = _field(frame, "seq", int)
        await database_sync_to_async(_mark_read)(self.member, conversation, seq)

    async def _frame_subscribe(self, frame: dict[str, Any]) -> None:
        conversation = _field(frame, "conversation", int)
        await self.send_json(
            await database_sync_to_async(_subscription)(self.member, conversation)
        )

    async def _frame_ping(self, frame: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    _frame_handlers = {
        "send": _frame_send,
        "read": _frame_read,
        "subscribe": _frame_subscribe,
        "ping": _frame_ping,
    }

    @staticmethod
    def _with_client_id(frame: dict[str, Any], client_id: Any) -> dict[str, Any]:
        if isinstance(client_id, str):
            frame["client_id"] = client_id
        return frame

    async def _bad_frame(self, detail: str, client_id: Any = None) -> None:
        await self.send_json(
            self._with_client_id(
                {"type": "error", "code": "bad_frame", "detail": detail}, client_id
            )
        )

    async def _error(self, error: DomainError, client_id: Any, frame: Any) -> None:
        answer: dict[str, Any] = {
            "type": "error",
            "code": error.code,
            "detail": error.message,
        }
        if isinstance(frame.get("conversation"), int):
            answer["conversation"] = frame["conversation"]
        if isinstance(error, ValidationFailed):
            answer["errors"] = error.errors
        await self.send_json(self._with_client_id(answer, client_id))

    # Events → server frames. Each re-reads through visibility: an event that outlived the
    # member's access to its conversation says nothing.

    async def conversation_message(self, event: dict[str, Any]) -> None:
        # A message's two readers never change, and the action sends its event to exactly
        # their groups with the payload rendered once: no re-read (a query and a Markdown
        # render per socket, most of a push's cost before).
        if event.get("origin") == self.channel_name:
            return  # the socket that sent it has its ack
        await self.send_json(
            {
                "type": "message",
                "conversation": event["conversation"],
                "message": event["payload"],
            }
        )

    async def _if_visible(self, event: dict[str, Any], frame: dict[str, Any]) -> None:
        if await database_sync_to_async(_is_visible)(
            self.member, event["conversation"]
        ):
            await self.send_json(frame)

    async def conversation_read(self, event: dict[str, Any]) -> None:
        await self._if_visible(
            event,
            {
                "type": "read",
                "conversation": event["conversation"],
                "member": event["member"],
                "seq": event["seq"],
            },
        )

    async def conversation_state(self, event: dict[str, Any]) -> None:
        await self._if_visible(
            event,
            {
                "type": "state",
                "conversation": event["conversation"],
                "state": event["state"],
            },
        )

    async def conversation_request(self, event: dict[str, Any]) -> None:
        await self._if_visible(
            event, {"type": "request", "conversation": event["conversation"]}
        )

    async def dialogue_changed(self, event: dict[str, Any]) -> None:
        # A proposal, publication, decline or withdrawal of a dialogue of one's own
        # conversation; the client reads the rest from the API.
        if await database_sync_to_async(_is_own_dialogue)(
            self.member, event["dialogue"]
        ):
            await self.send_json(
                {
                    "type": "dialogue",
                    "dialogue": event["dialogue"],
                    "kind": event["state"],
                }
            )

    async def moderation_notice(self, event: dict[str, Any]) -> None:
        # Sent to the member's own group only; the ids say nothing of its words, which
        # the client reads from GET me/moderation.
        await self.send_json(
            {"type": "moderation", "notice": event["notice"], "kind": event["kind"]}
        )

    async def auth_password_changed(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SESSION_ENDED)

    async def auth_logged_out(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_SESSION_ENDED)

    async def auth_suspended(self, event: dict[str, Any]) -> None:
        # The account was suspended site-wide: every socket of it closes.
        await self.close(code=CLOSE_SESSION_ENDED)

    async def auth_token_revoked(self, event: dict[str, Any]) -> None:
        if self.scope.get("token_id") == event.get("token"):
            await self.close(code=CLOSE_SESSION_ENDED)

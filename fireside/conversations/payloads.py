"""The JSON shapes of conversations and messages, shared by the API and the WebSocket so a
client reads one format whichever way a message reaches it."""

from typing import Any

from fireside.conversations.models import Conversation, Message
from fireside.core.text import render_markdown

#: The one calm notice a member sees after pile-on protection held requests in Later.
NOTICE_TEXT = (
    "Many people asked to talk with you in the last hour, so Fireside held some of "
    "their requests in Later. They wait there, without notifications, until you look."
)


def message_payload(message: Message) -> dict[str, Any]:
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "seq": message.seq,
        "conversation": message.conversation_id,
        "author": message.author.handle if message.author else None,
        "body": "" if deleted else message.body,
        "body_html": "" if deleted else str(render_markdown(message.body)),
        "sent_at": message.sent_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "deleted": deleted,
        "client_id": message.client_id,
    }


def conversation_payload(conversation: Conversation, viewer: Any) -> dict[str, Any]:
    other = conversation.other(viewer)
    data: dict[str, Any] = {
        "id": conversation.pk,
        "state": conversation.state,
        "with": {"handle": other.handle, "display_name": other.display_name},
        "initiator": conversation.initiator.handle,
        "post": conversation.post_id,
        "your_turn": conversation.is_your_turn(viewer),
        "unread": conversation.is_unread_for(viewer),
        "last_seq": conversation.last_seq,
        "read_seq": conversation.read_seq_of(viewer),
        "other_read_seq": conversation.read_seq_of(other),
        "created_at": conversation.created_at.isoformat(),
        "last_message_at": conversation.last_message_at.isoformat(),
    }
    if (
        conversation.state == Conversation.State.REQUESTED
        and viewer.pk == conversation.recipient_id
    ):
        data["tray"] = conversation.tray
        # Stored when the request was made (unfamiliar.py); for its recipient's eyes only.
        data["signals"] = [
            {"code": str(signal["code"]), "text": str(signal["text"])}
            for signal in conversation.signals or []
        ]
        data["expires_at"] = conversation.expires_at.isoformat()
    return data

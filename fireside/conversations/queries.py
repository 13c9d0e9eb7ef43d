"""Read-only queries behind the conversation pages: the inbox, the requests tray and the
rows of a conversation's messages, each for one viewer."""

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from fireside.conversations.actions import EDIT_WINDOW
from fireside.conversations.models import (
    REQUEST_LIFETIME,
    Conversation,
    ConversationQuerySet,
    Message,
    RequestBurst,
)

INBOX_LIMIT = 100


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    other: Any
    is_your_turn: bool
    is_unread: bool


@dataclass(frozen=True)
class MessageRow:
    message: Message
    is_mine: bool
    can_edit: bool
    # The viewer's last message that the other member has read: it carries "Seen".
    is_seen: bool


def waiting_requests(
    member: Any, *, tray: str = Conversation.Tray.REQUESTS
) -> ConversationQuerySet:
    """Requests to MEMBER in TRAY still waiting for an answer, oldest first."""
    return (
        Conversation.objects.visible_to(member)
        .unblocked_for(member)
        .filter(
            recipient=member,
            state=Conversation.State.REQUESTED,
            tray=tray,
            created_at__gt=timezone.now() - REQUEST_LIFETIME,
        )
        .select_related("initiator", "post")
        .order_by("created_at")
    )


def request_notice(member: Any) -> RequestBurst | None:
    """The pile-on burst MEMBER has not yet put away, if any: one notice per burst."""
    return (
        RequestBurst.objects.filter(member=member, dismissed_at__isnull=True)
        .order_by("-last_held_at")
        .first()
    )


def inbox_for(member: Any) -> list[InboxRow]:
    """MEMBER's conversations, those waiting for MEMBER's turn first, then by last
    message. Requests to MEMBER are in the tray, not here."""
    mine_as_initiator = Q(initiator=member)
    your_turn = Case(
        When(
            Q(state=Conversation.State.ACTIVE)
            & Q(last_author__isnull=False)
            & ~Q(last_author=member),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    unread = Case(
        When(
            (mine_as_initiator & Q(last_seq__gt=F("initiator_read_seq")))
            | (~mine_as_initiator & Q(last_seq__gt=F("recipient_read_seq"))),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    conversations = (
        Conversation.objects.visible_to(member)
        .unblocked_for(member)
        .exclude(recipient=member, state=Conversation.State.REQUESTED)
        .select_related("initiator", "recipient", "post")
        .annotate(turn_is_yours=your_turn, has_unread=unread)
        .order_by("-turn_is_yours", "-last_message_at", "-pk")[:INBOX_LIMIT]
    )
    return [
        InboxRow(
            conversation,
            conversation.other(member),
            bool(conversation.turn_is_yours),  # type: ignore[attr-defined]
            bool(conversation.has_unread),  # type: ignore[attr-defined]
        )
        for conversation in conversations
    ]


def seen_seq(conversation: Conversation, viewer: Any) -> int:
    """The seq of VIEWER's last message that the other member has read (0 if none)."""
    other_read = conversation.read_seq_of(conversation.other(viewer))
    last = (
        conversation.messages.filter(author=viewer, seq__lte=other_read)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return last or 0


def message_rows(
    conversation: Conversation, viewer: Any, *, after: int = 0
) -> list[MessageRow]:
    """The messages after seq AFTER, in seq order, as VIEWER sees them."""
    seen = seen_seq(conversation, viewer)
    edit_since = timezone.now() - EDIT_WINDOW
    messages: QuerySet[Message] = conversation.messages.filter(seq__gt=after).order_by(
        "seq"
    )
    return [
        MessageRow(
            message=message,
            is_mine=message.author_id == viewer.pk,
            can_edit=message.author_id == viewer.pk
            and message.deleted_at is None
            and message.sent_at > edit_since,
            is_seen=message.seq == seen,
        )
        for message in messages
    ]

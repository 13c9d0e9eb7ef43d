"""Read-only queries behind the conversation pages: the inbox, the requests tray and the
rows of a conversation's messages, each for one viewer."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fireside.conversations.actions import EDIT_WINDOW
from fireside.conversations.models import (
    REQUEST_LIFETIME,
    Conversation,
    ConversationQuerySet,
    Message,
    RequestBurst,
)
from fireside.core.exceptions import ValidationFailed

#: Conversations per inbox page; "Load more" brings the next.
INBOX_PAGE = 30
CURSOR_SALT = "fireside.conversations.inbox"


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


def _damaged_cursor() -> ValidationFailed:
    return ValidationFailed(
        {"cursor": ["This page link is damaged. Start again from the first page."]},
        code="invalid_cursor",
    )


def _decode_cursor(cursor: str, member: Any) -> tuple[int, datetime, int]:
    try:
        position = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise _damaged_cursor() from None
    # A cursor only works for the member whose list made it.
    if not isinstance(position, list) or len(position) != 4 or position[0] != member.pk:
        raise _damaged_cursor()
    _, turn, moment, last_id = position
    at = parse_datetime(moment) if isinstance(moment, str) else None
    if at is None or not isinstance(turn, int) or not isinstance(last_id, int):
        raise _damaged_cursor()
    return turn, at, last_id


def turn_ordered_page(
    conversations: ConversationQuerySet, member: Any, cursor: str, size: int
) -> tuple[list[Conversation], str | None]:
    """One page of CONVERSATIONS (annotated with an integer `turn`, 1 when it waits for
    MEMBER) in "your turn first, then newest" order, after CURSOR; and the cursor of the
    next page, or None on the last. Keyset, so "Load more" never skips or repeats one
    when a conversation moves meanwhile."""
    # `turn` is the caller's annotation, which the type checker cannot see.
    conversations = conversations.order_by("-turn", "-last_message_at", "-id")  # type: ignore[misc]
    if cursor:
        turn, at, last_id = _decode_cursor(cursor, member)
        conversations = conversations.filter(
            Q(turn__lt=turn)
            | Q(turn=turn, last_message_at__lt=at)
            | Q(turn=turn, last_message_at=at, id__lt=last_id)
        )
    page = list(conversations[: size + 1])
    if len(page) <= size:
        return page, None
    page = page[:size]
    last = page[-1]
    return page, signing.dumps(
        [member.pk, last.turn, last.last_message_at.isoformat(), last.pk],  # type: ignore[attr-defined]
        salt=CURSOR_SALT,
    )


def inbox_for(member: Any, cursor: str = "") -> tuple[list[InboxRow], str | None]:
    """A page of MEMBER's conversations, those waiting for MEMBER's turn first, then by
    last message; and the cursor of the next page. Requests to MEMBER are in the tray,
    not here."""
    mine_as_initiator = Q(initiator=member)
    your_turn = Case(
        When(
            Q(state=Conversation.State.ACTIVE)
            & Q(last_author__isnull=False)
            & ~Q(last_author=member),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
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
        .annotate(turn=your_turn, has_unread=unread)
    )
    page, next_cursor = turn_ordered_page(conversations, member, cursor, INBOX_PAGE)
    rows = [
        InboxRow(
            conversation,
            conversation.other(member),
            bool(conversation.turn),  # type: ignore[attr-defined]
            bool(conversation.has_unread),  # type: ignore[attr-defined]
        )
        for conversation in page
    ]
    return rows, next_cursor


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

"""Every change to conversations: requests and answers, messages, reading, archiving.

A message is committed before anyone hears of it: events go out on commit, and the
database (with gap-free `seq`) stays the source of truth clients catch up from."""

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fireside.conversations import permissions
from fireside.conversations.models import (
    REQUEST_LIFETIME,
    Conversation,
    Message,
    MessageRevision,
)
from fireside.conversations.payloads import message_payload
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.live.broadcast import broadcast_on_commit
from fireside.live.groups import member_group

MESSAGE_MAX = 4000
CLIENT_ID_MAX = 64
#: How long after sending its author may still change a message.
EDIT_WINDOW = timedelta(minutes=5)


def _clean_body(body: str, field: str = "body") -> str:
    body = body.strip()
    if not body:
        raise ValidationFailed({field: ["Write a message first."]}, code="empty")
    if len(body) > MESSAGE_MAX:
        raise ValidationFailed(
            {
                field: [
                    f"A message can have at most {MESSAGE_MAX:,} characters; this one "
                    f"has {len(body):,}."
                ]
            },
            code="too_long",
        )
    if "\x00" in body:
        raise ValidationFailed({field: ["A message cannot contain NUL characters."]})
    return body


def _clean_client_id(client_id: str) -> str:
    client_id = client_id.strip()
    if len(client_id) > CLIENT_ID_MAX:
        raise ValidationFailed(
            {"client_id": [f"A client_id has at most {CLIENT_ID_MAX} characters."]}
        )
    if "\x00" in client_id:
        raise ValidationFailed({"client_id": ["A client_id cannot contain NUL."]})
    return client_id


def _tell_both(conversation: Conversation, event: dict[str, Any]) -> None:
    for member_id in (conversation.initiator_id, conversation.recipient_id):
        broadcast_on_commit(member_group(member_id), event)


def _message_changed(conversation: Conversation, message: Message) -> None:
    # The payload travels with the event (rendered once, not once per socket); the two
    # member groups it goes to are exactly the two people who may read it.
    _tell_both(
        conversation,
        {
            "type": "conversation.message",
            "conversation": conversation.pk,
            "message": message.pk,
            "payload": message_payload(message),
        },
    )


def _state_changed(conversation: Conversation) -> None:
    _tell_both(
        conversation,
        {
            "type": "conversation.state",
            "conversation": conversation.pk,
            "state": conversation.state,
        },
    )


def _append(
    conversation: Conversation, *, by: Any, body: str, client_id: str
) -> Message:
    """Add the next message; the caller holds the conversation row locked."""
    now = timezone.now()
    seq = conversation.last_seq + 1
    message = Message.objects.create(
        conversation=conversation,
        seq=seq,
        author=by,
        body=body,
        client_id=client_id,
        sent_at=now,
    )
    conversation.last_seq = seq
    conversation.last_message_at = now
    conversation.last_author = by
    if by.pk == conversation.initiator_id:
        conversation.initiator_read_seq = seq
    else:
        conversation.recipient_read_seq = seq
    conversation.save(
        update_fields=[
            "last_seq",
            "last_message_at",
            "last_author",
            "initiator_read_seq",
            "recipient_read_seq",
        ]
    )
    _message_changed(conversation, message)
    return message


def request_conversation(
    *, by: Any, to: Any, message: str, client_id: str = "", post: Any = None
) -> Conversation:
    """Ask TO for a conversation, with an opening message.

    Repeating a request with the same client_id returns the first one (a client retrying
    after a lost answer must not ask twice)."""
    body = _clean_body(message, field="message")
    client_id = _clean_client_id(client_id)
    if client_id:
        earlier = (
            Message.objects.filter(
                author=by, client_id=client_id, seq=1, conversation__recipient=to
            )
            .select_related("conversation")
            .first()
        )
        if earlier is not None:
            return earlier.conversation
    permissions.check_request_conversation(by, to)
    low, high = sorted([by.pk, to.pk])
    try:
        with transaction.atomic():
            # A request that lapsed unanswered must not hold the pair's one open place.
            _expire(Conversation.objects.between(by, to))
            conversation = Conversation.objects.create(
                initiator=by, recipient=to, pair_low=low, pair_high=high, post=post
            )
            _append(conversation, by=by, body=body, client_id=client_id)
    except IntegrityError:
        # Another request between the two landed first.
        raise NotAllowed(
            f"You already have an open conversation with @{to.handle}.",
            code="already_open",
        ) from None
    broadcast_on_commit(
        member_group(to.pk),
        {"type": "conversation.request", "conversation": conversation.pk},
    )
    return conversation


def _decide(conversation: Conversation, *, by: Any, state: str) -> Conversation:
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        permissions.check_answer_request(by, locked)
        locked.state = state
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_at"])
        _state_changed(locked)
    return locked


def accept_conversation(conversation: Conversation, *, by: Any) -> Conversation:
    """The recipient accepts a request: the conversation becomes active."""
    return _decide(conversation, by=by, state=Conversation.State.ACTIVE)


def decline_conversation(conversation: Conversation, *, by: Any) -> Conversation:
    """The recipient says "not now" (no reason asked). The sender may ask again after
    the cool-down in permissions.DECLINE_COOLDOWN."""
    return _decide(conversation, by=by, state=Conversation.State.DECLINED)


def archive_conversation(conversation: Conversation, *, by: Any) -> Conversation:
    """Either member archives an active conversation; nobody can write to it after."""
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.state != Conversation.State.ACTIVE:
            permissions.check_write(by, locked)
        locked.state = Conversation.State.ARCHIVED
        locked.archived_by = by
        locked.save(update_fields=["state", "archived_by"])
        _state_changed(locked)
    return locked


def send_message(
    conversation: Conversation, *, by: Any, body: str, client_id: str = ""
) -> Message:
    """Add BY's message with the next `seq`; committed before it is returned.

    A repeated client_id returns the first message instead of adding another."""
    body = _clean_body(body)
    client_id = _clean_client_id(client_id)
    if client_id:
        # The exclude repeats the condition of the partial unique index, which SQLite
        # uses only when the query spells it out; without it this scans the conversation.
        earlier = (
            Message.objects.filter(
                conversation=conversation, author=by, client_id=client_id
            )
            .exclude(client_id="")
            .first()
        )
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
            permissions.check_write(by, locked)
            message = _append(locked, by=by, body=body, client_id=client_id)
    except IntegrityError:
        # The same client_id raced in from a retry; the first one won.
        return Message.objects.get(
            conversation=conversation, author=by, client_id=client_id
        )
    return message


def edit_message(message: Message, *, by: Any, body: str) -> Message:
    """Change one's own message within EDIT_WINDOW, keeping the earlier words."""
    if message.author_id != by.pk:
        raise NotAllowed("You can edit only your own messages.", code="not_author")
    if message.deleted_at is not None:
        raise NotAllowed("This message was deleted.", code="deleted")
    if timezone.now() - message.sent_at > EDIT_WINDOW:
        raise NotAllowed(
            "Messages can be edited for 5 minutes after sending.",
            code="edit_window_closed",
        )
    body = _clean_body(body)
    permissions.check_write(by, message.conversation)
    with transaction.atomic():
        MessageRevision.objects.create(
            message=message,
            body=message.body,
            written_at=message.edited_at or message.sent_at,
        )
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        _message_changed(message.conversation, message)
    return message


def delete_message(message: Message, *, by: Any) -> Message:
    """Delete one's own message: its words and history go; a tombstone keeps its seq."""
    if message.author_id != by.pk:
        raise NotAllowed("You can delete only your own messages.", code="not_author")
    with transaction.atomic():
        message.revisions.all().delete()
        message.body = ""
        message.deleted_at = message.deleted_at or timezone.now()
        message.save(update_fields=["body", "deleted_at"])
        _message_changed(message.conversation, message)
    return message


def mark_read(conversation: Conversation, *, by: Any, seq: int) -> Conversation:
    """Note that BY has read up to SEQ (never backwards, never past the last message);
    the other member's page moves its read marker."""
    seq = max(0, min(int(seq), conversation.last_seq))
    field = (
        "initiator_read_seq"
        if by.pk == conversation.initiator_id
        else "recipient_read_seq"
    )
    with transaction.atomic():
        updated = Conversation.objects.filter(
            pk=conversation.pk, **{f"{field}__lt": seq}
        ).update(**{field: seq})
        if updated:
            setattr(conversation, field, seq)
            broadcast_on_commit(
                member_group(conversation.other(by).pk),
                {
                    "type": "conversation.read",
                    "conversation": conversation.pk,
                    "member": by.handle,
                    "seq": seq,
                },
            )
    return conversation


def end_conversations_between(one: Any, other: Any) -> None:
    """End every open conversation between two members (a block)."""
    for conversation in (
        Conversation.objects.between(one, other).open().select_for_update()
    ):
        conversation.state = Conversation.State.ENDED
        conversation.decided_at = conversation.decided_at or timezone.now()
        conversation.save(update_fields=["state", "decided_at"])
        _state_changed(conversation)


def _expire(conversations: Any) -> int:
    cutoff = timezone.now() - REQUEST_LIFETIME
    return int(
        conversations.filter(
            state=Conversation.State.REQUESTED, created_at__lte=cutoff
        ).update(state=Conversation.State.EXPIRED, decided_at=timezone.now())
    )


def expire_requests() -> int:
    """Mark requests older than REQUEST_LIFETIME as expired; return how many."""
    return _expire(Conversation.objects.all())

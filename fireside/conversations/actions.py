"""Every change to conversations: requests and answers, messages, reading, archiving.

A message is committed before anyone hears of it: events go out on commit, and the
database (with gap-free `seq`) stays the source of truth clients catch up from."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Field, Q
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.conversations import permissions, pileon, unfamiliar
from fireside.conversations.models import (
    REQUEST_LIFETIME,
    Conversation,
    Message,
    MessageRevision,
    RequestBurst,
)
from fireside.conversations.payloads import message_payload
from fireside.core.exceptions import (
    DomainError,
    NotAllowed,
    NotFound,
    ValidationFailed,
)
from fireside.dialogues.actions import forget_deleted_message
from fireside.live.broadcast import broadcast_many_on_commit, broadcast_on_commit
from fireside.live.groups import member_group
from fireside.moderation.actions import open_system_case
from fireside.trust import actions as trust_actions
from fireside.trust import limits

MESSAGE_MAX = 4000
CLIENT_ID_MAX = 64
#: How long after sending its author may still change a message.
EDIT_WINDOW = timedelta(minutes=5)


def _clean_body(body: str, field: str = "body", *, by: Any = None) -> str:
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
    if by is not None:
        # No links from new accounts: the cheapest way to stop link spam in requests.
        limits.check_links(by, body, field=field)
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


def _to_both(
    conversation: Conversation, event: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (member_group(member_id), event)
        for member_id in (conversation.initiator_id, conversation.recipient_id)
    ]


def _tell_both(conversation: Conversation, event: dict[str, Any]) -> None:
    broadcast_many_on_commit(_to_both(conversation, event))


def _message_event(
    conversation: Conversation, message: Message, *, origin: str = ""
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """The payload of MESSAGE and the events announcing it. The payload travels with the
    event (rendered once, not once per socket); the two member groups it goes to are
    exactly the two people who may read it. ORIGIN names the socket that sent it, which
    is answered with an ack instead."""
    payload = message_payload(message)
    event = {
        "type": "conversation.message",
        "conversation": conversation.pk,
        "message": message.pk,
        "payload": payload,
    }
    if origin:
        event["origin"] = origin
    return payload, _to_both(conversation, event)


def _message_changed(conversation: Conversation, message: Message) -> dict[str, Any]:
    payload, events = _message_event(conversation, message)
    broadcast_many_on_commit(events)
    return payload


def _state_changed(conversation: Conversation) -> None:
    _tell_both(
        conversation,
        {
            "type": "conversation.state",
            "conversation": conversation.pk,
            "state": conversation.state,
        },
    )


_CONVERSATION_ON_SEND = [
    "last_seq",
    "last_message_at",
    "last_author",
    "initiator_read_seq",
    "recipient_read_seq",
]


def _next_message(
    conversation: Conversation, *, by: Any, body: str, now: Any
) -> Message:
    """The next message of CONVERSATION, unsaved, with the conversation moved on to it;
    the caller holds the conversation row locked and saves both."""
    seq = conversation.last_seq + 1
    message = Message(
        conversation=conversation, seq=seq, author=by, body=body, sent_at=now
    )
    conversation.last_seq = seq
    conversation.last_message_at = now
    conversation.last_author = by
    # Writing is reading: one's own message is never unread.
    if by.pk == conversation.initiator_id:
        conversation.initiator_read_seq = seq
    else:
        conversation.recipient_read_seq = seq
    return message


def _federate_on_commit(message_ids: list[int], *, changed: bool = False) -> None:
    """After commit, hand our members' new (or CHANGED: edited, deleted) messages to a
    person on another server to federation, which delivers them as direct Notes.

    Callers call this only when the other member is a stand-in for a remote person
    (`is_remote`) and federation is on, which they know without a query: conversations
    between members here cost nothing more."""
    # Federation builds on conversations, not the other way round: imported late.
    from fireside.federation import notes

    def hand_over() -> None:
        for message_id in message_ids:
            if changed:
                notes.message_changed(message_id)
            else:
                notes.message_sent(message_id)

    transaction.on_commit(hand_over)


def _federation_on() -> bool:
    from fireside.federation import conf

    return conf.enabled()


def _to_remote(conversation: Conversation, by: Any) -> bool:
    """Whether BY (one of ours) writes to a remote person in CONVERSATION, read from the
    `*_is_remote` annotations of the locked row (no query)."""
    if by.is_remote:
        return False
    if by.pk == conversation.initiator_id:
        return bool(getattr(conversation, "recipient_is_remote", False))
    return bool(getattr(conversation, "initiator_is_remote", False))


def _changed_for_remote(message: Message, *, by: Any) -> None:
    """Federate an edit or deletion by one of ours to a remote person (one query, and
    only while federation is on)."""
    if by.is_remote or not _federation_on():
        return
    conversation = message.conversation
    other_id = (
        conversation.recipient_id
        if by.pk == conversation.initiator_id
        else conversation.initiator_id
    )
    if Member.objects.filter(pk=other_id, is_remote=True).exists():
        _federate_on_commit([message.pk], changed=True)


def _open_with(
    conversation: Conversation, *, by: Any, body: str, client_id: str
) -> Message:
    """Add a request's opening message. Only the sender's other pages hear of it as a
    message; the recipient hears of a request (or, for one held in Later, nothing)."""
    message = _next_message(conversation, by=by, body=body, now=timezone.now())
    message.client_id = client_id
    message.save()
    conversation.save(update_fields=_CONVERSATION_ON_SEND)
    _, events = _message_event(conversation, message)
    broadcast_many_on_commit(
        [(group, event) for group, event in events if group == member_group(by.pk)]
    )
    return message


def request_conversation(
    *, by: Any, to: Any, message: str, client_id: str = "", post: Any = None
) -> Conversation:
    """Ask TO for a conversation, with an opening message.

    Repeating a request with the same client_id returns the first one (a client retrying
    after a lost answer must not ask twice)."""
    body = _clean_body(message, field="message", by=by)
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
    permissions.check_request_conversation(by, to, post)
    # After the checks, so a refused request does not use up the sender's allowance.
    limits.spend(by, "conversation_requests")
    # Worked out before the request exists, and kept with it: the recipient reads the
    # reasons as they were when the request was made.
    signals = unfamiliar.signals_for(by, to)
    low, high = sorted([by.pk, to.pk])
    try:
        with transaction.atomic():
            # Requests to one member are taken one at a time (the row lock; SQLite's
            # write lock does the same), so requests racing in from several processes
            # cannot all pass the pile-on count together.
            list(Member.objects.select_for_update().filter(pk=to.pk).values("pk"))
            # A request that lapsed unanswered must not hold the pair's one open place.
            _expire(Conversation.objects.between(by, to))
            held = pileon.should_hold(by, to)
            # Requests that pile on, or with strong signals, wait in Later, unannounced.
            tray = (
                Conversation.Tray.LATER
                if held or unfamiliar.is_strong(signals)
                else Conversation.Tray.REQUESTS
            )
            conversation = Conversation.objects.create(
                initiator=by,
                recipient=to,
                pair_low=low,
                pair_high=high,
                post=post,
                tray=tray,
                signals=signals,
            )
            opening = _open_with(conversation, by=by, body=body, client_id=client_id)
            if held:
                _note_pile_on(to, post=post)
    except IntegrityError:
        # Another request between the two landed first.
        raise NotAllowed(
            f"You already have an open conversation with @{to.handle}.",
            code="already_open",
        ) from None
    if tray == Conversation.Tray.REQUESTS:
        broadcast_on_commit(
            member_group(to.pk),
            {"type": "conversation.request", "conversation": conversation.pk},
        )
    if to.is_remote and not by.is_remote and _federation_on():
        # Our member asks: the opening message travels now (their consent is asked
        # for on their server, by their reply).
        _federate_on_commit([opening.pk])
    return conversation


def _note_pile_on(member: Any, *, post: Any) -> RequestBurst:
    """Record that a request to MEMBER was held as part of a pile-on: one RequestBurst
    per burst (one notice), and one case per cited post for its community's cohort."""
    now = timezone.now()
    burst = (
        RequestBurst.objects.select_for_update()
        .filter(member=member, last_held_at__gt=now - pileon.PILE_ON_WINDOW)
        .order_by("-last_held_at")
        .first()
    )
    if burst is None:
        burst = RequestBurst.objects.create(member=member, started_at=now)
    burst.last_held_at = now
    if post is not None and post.pk not in burst.reported_posts:
        open_system_case(
            community=post.community,
            target=post,
            reason=f"Pile-on protection: many people asked @{member.handle} to talk "
            "about this post within an hour, so Fireside held some of the requests. "
            "Look at whether the post is drawing a crowd.",
        )
        burst.reported_posts = [*burst.reported_posts, post.pk]
    burst.save(update_fields=["last_held_at", "reported_posts"])
    return burst


def move_request(conversation: Conversation, *, by: Any, tray: str) -> Conversation:
    """Move a request BY received, still waiting for an answer, to TRAY ("requests" or
    "later"). Nobody is told: the trays are the recipient's own filing."""
    if tray not in Conversation.Tray.values:
        raise ValidationFailed(
            {"tray": ["Choose “requests” or “later”."]}, code="invalid_tray"
        )
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        permissions.check_answer_request(by, locked)
        if locked.tray != tray:
            locked.tray = tray
            locked.save(update_fields=["tray"])
    return locked


def dismiss_request_notice(member: Any) -> int:
    """Put away the notice about requests held during a pile-on on MEMBER; return how
    many bursts it covered. A later burst brings a new notice."""
    return int(
        RequestBurst.objects.filter(member=member, dismissed_at__isnull=True).update(
            dismissed_at=timezone.now()
        )
    )


def set_requests_paused(member: Any, *, paused: bool) -> Any:
    """Pause (or resume) every new conversation request to MEMBER. Requests already
    made stay where they are; new ones are refused with `requests_paused`."""
    member.requests_paused = paused
    member.save(update_fields=["requests_paused"])
    return member


def set_post_requests_paused(post: Any, *, by: Any, paused: bool) -> Any:
    """Pause (or resume) new conversation requests about POST; only its author may."""
    permissions.check_pause_post_requests(by, post)
    post.requests_paused = paused
    post.save(update_fields=["requests_paused"])
    return post


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
    accepted = _decide(conversation, by=by, state=Conversation.State.ACTIVE)
    # An accepted request is evidence of trust for the one who asked.
    trust_actions.recompute_member_on_commit(accepted.initiator_id)
    return accepted


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


@dataclass(frozen=True)
class Outgoing:
    """One message a member asks to send: what `send_messages` takes."""

    by: Any
    conversation_id: int
    body: str
    client_id: str = ""
    #: The live socket it came from, if any: that socket gets an ack, not a push.
    origin: str = ""


@dataclass(frozen=True)
class Sent:
    """A committed message and its payload, rendered once for the event and the ack.
    `repeat` is true when the client_id had already been used (nothing was added)."""

    message: Message
    payload: dict[str, Any]
    repeat: bool = False


def send_message(
    conversation: Conversation, *, by: Any, body: str, client_id: str = ""
) -> Message:
    """Add BY's message with the next `seq`; committed before it is returned.

    A repeated client_id returns the first message instead of adding another."""
    result = send_messages([Outgoing(by, conversation.pk, body, client_id)])[0]
    if isinstance(result, DomainError):
        raise result
    return result.message


def send_messages(batch: Sequence[Outgoing]) -> list[Sent | DomainError]:
    """Add a batch of messages, from any members to any conversations, in one
    transaction; return, in order, what became of each.

    This is the one way a message is added. The live sockets of a process hand it every
    `send` that arrives while the previous batch is being written (group commit): one
    transaction, a handful of queries and one fsync for the lot instead of per message.
    Each outcome is independent: one refused message does not hold back the others."""
    results: list[Sent | DomainError | None] = [None] * len(batch)
    cleaned: list[tuple[int, Outgoing]] = []
    for index, outgoing in enumerate(batch):
        try:
            cleaned.append(
                (
                    index,
                    Outgoing(
                        outgoing.by,
                        outgoing.conversation_id,
                        _clean_body(outgoing.body, by=outgoing.by),
                        _clean_client_id(outgoing.client_id),
                        outgoing.origin,
                    ),
                )
            )
        except DomainError as error:
            results[index] = error
    if cleaned:
        _write_with_retries(cleaned, results)
    return [result for result in results if result is not None]


def _write_with_retries(
    cleaned: list[tuple[int, Outgoing]], results: list[Sent | DomainError | None]
) -> None:
    # Almost every send is new: write the batch without looking for repeated client_ids
    # first (on PostgreSQL that look was a third of a batch's time), and look only when
    # the unique index says one was seen before.
    for look_for_repeats in (False, True):
        attempt = list(results)
        try:
            with transaction.atomic():
                _write_batch(cleaned, attempt, look_for_repeats=look_for_repeats)
        except IntegrityError:
            continue
        results[:] = attempt
        return
    # A repeat raced in from another process between the look and the write.
    if len(cleaned) > 1:
        for index, outgoing in cleaned:
            results[index] = send_messages([outgoing])[0]
        return
    index, outgoing = cleaned[0]
    earlier = _earlier_by_client_id([outgoing])
    key = (outgoing.conversation_id, outgoing.by.pk, outgoing.client_id)
    if key not in earlier:
        raise IntegrityError(f"Message {key} clashed with nothing that can be found.")
    results[index] = Sent(earlier[key], message_payload(earlier[key]), repeat=True)


def _save_moved_on(conversations: list[Conversation]) -> None:
    """Save the fields sending moves on, for many conversations in one executemany.

    bulk_update builds a CASE per field and row: compiling it was half of a batch's time
    (measured with py-spy under bench/delivery.py)."""
    fields = [
        cast(Field[Any, Any], Conversation._meta.get_field(name))
        for name in _CONVERSATION_ON_SEND
    ]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    statement = (
        f"UPDATE {quote(Conversation._meta.db_table)} SET {assignments} "
        f"WHERE {quote('id')} = %s"
    )
    rows = [
        [
            field.get_db_prep_save(getattr(c, field.attname), connection)
            for field in fields
        ]
        + [c.pk]
        for c in conversations
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


def _earlier_by_client_id(
    outgoing: Sequence[Outgoing],
) -> dict[tuple[int, int | None, str], Message]:
    wanted = {
        (o.conversation_id, o.by.pk, o.client_id) for o in outgoing if o.client_id
    }
    if not wanted:
        return {}
    # One exact triple per message, each a probe of the partial unique index (each term
    # repeats its condition, which SQLite needs to see to use it): an IN over the
    # conversations instead made SQLite walk each conversation's whole history.
    exact = Q()
    for conversation_id, author_id, client_id in wanted:
        exact |= Q(
            conversation_id=conversation_id, author_id=author_id, client_id=client_id
        ) & ~Q(client_id="")
    found = Message.objects.filter(exact).order_by().select_related("author")
    return {
        (m.conversation_id, m.author_id, m.client_id): m
        for m in found
        if (m.conversation_id, m.author_id, m.client_id) in wanted
    }


def _write_batch(
    cleaned: list[tuple[int, Outgoing]],
    results: list[Sent | DomainError | None],
    *,
    look_for_repeats: bool,
) -> None:
    ids = sorted({outgoing.conversation_id for _, outgoing in cleaned})
    origins = {index: outgoing.origin for index, outgoing in cleaned}
    # Locked in id order, so two processes writing overlapping batches cannot deadlock.
    # Whether each member is remote comes along (two joins on primary keys, no query):
    # messages to a remote person are handed to federation after commit.
    conversations = {
        c.pk: c
        for c in Conversation.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .annotate(
            initiator_is_remote=F("initiator__is_remote"),
            recipient_is_remote=F("recipient__is_remote"),
        )
        .order_by("pk")
    }
    earlier = (
        _earlier_by_client_id([outgoing for _, outgoing in cleaned])
        if look_for_repeats
        else {}
    )
    now = timezone.now()
    added: list[tuple[int, Message]] = []
    repeats: list[tuple[int, Message]] = []
    changed: dict[int, Conversation] = {}
    for index, outgoing in cleaned:
        conversation = conversations.get(outgoing.conversation_id)
        by = outgoing.by
        try:
            # Visibility and the right to write, checked against the locked row.
            if conversation is None or by.pk not in (
                conversation.initiator_id,
                conversation.recipient_id,
            ):
                raise NotFound()
            key = (conversation.pk, by.pk, outgoing.client_id)
            if outgoing.client_id and key in earlier:
                first = earlier[key]
                if first._state.adding:  # added earlier in this very batch
                    repeats.append((index, first))
                else:
                    results[index] = Sent(first, message_payload(first), repeat=True)
                continue
            permissions.check_write(by, conversation)
        except DomainError as error:
            results[index] = error
            continue
        message = _next_message(conversation, by=by, body=outgoing.body, now=now)
        message.client_id = outgoing.client_id
        if outgoing.client_id:
            # A repeat later in the same batch gets this one.
            earlier[key] = message
        added.append((index, message))
        changed[conversation.pk] = conversation
    if not added:
        return
    Message.objects.bulk_create([message for _, message in added])
    _save_moved_on(list(changed.values()))
    payloads: dict[int, dict[str, Any]] = {}
    events: list[tuple[str, dict[str, Any]]] = []
    for index, message in added:
        payload, announced = _message_event(
            conversations[message.conversation_id], message, origin=origins[index]
        )
        events.extend(announced)
        payloads[id(message)] = payload
        results[index] = Sent(message, payload)
    # One hand-over to the event loop for the whole batch, not two per message.
    broadcast_many_on_commit(events)
    to_remote = [
        message.pk
        for _, message in added
        if _to_remote(conversations[message.conversation_id], message.author)
    ]
    if to_remote and _federation_on():
        _federate_on_commit(to_remote)
    for index, message in repeats:
        results[index] = Sent(message, payloads[id(message)], repeat=True)


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
    body = _clean_body(body, by=by)
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
        _changed_for_remote(message, by=by)
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
        # A dialogue that published it shows a tombstone in its place too.
        forget_deleted_message(message)
        _message_changed(message.conversation, message)
        _changed_for_remote(message, by=by)
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

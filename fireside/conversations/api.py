"""Conversations in the JSON API: requests and their answers, the inbox, and messages.

Every conversation is fetched through `Conversation.objects.visible_to(member)`, so anyone
but its two members gets 404 (never 403) on every endpoint here, messages included. The
shapes come from `payloads`, shared with the WebSocket: a client reads one format."""

from datetime import datetime
from typing import Any, Literal

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from fireside.accounts.authentication import member_auth, request_member
from fireside.accounts.handles import HANDLE_PATTERN, normalize_handle
from fireside.accounts.models import Member
from fireside.conversations import actions, queries
from fireside.conversations.models import REQUEST_LIFETIME, Conversation, Message
from fireside.conversations.payloads import (
    NOTICE_TEXT,
    conversation_payload,
    message_payload,
)
from fireside.core.exceptions import NotFound
from fireside.posts.models import Post

router = Router(tags=["conversations"], auth=member_auth)

PAGE_SIZE = 20
#: The largest id or seq a client can name (the columns are 32- and 64-bit integers).
SEQ_MAX = 2**31 - 1
ID_MAX = 2**63 - 1

StateName = Literal["requested", "active", "declined", "expired", "archived", "ended"]
TrayName = Literal["requests", "later"]


class FieldNotFound(NotFound):
    """Something an input field names does not exist, or is not visible to the member."""

    def __init__(self, field: str, message: str) -> None:
        self.errors = {field: [message]}
        super().__init__(message)


class MemberRefOut(Schema):
    handle: str
    display_name: str


class SignalOut(Schema):
    code: str
    text: str


class ConversationOut(Schema):
    """A conversation as one of its members sees it. `tray`, `signals` and `expires_at`
    appear only on a request the viewer received and has not answered."""

    id: int
    state: StateName
    with_: MemberRefOut = Field(alias="with")
    initiator: str
    post: int | None
    your_turn: bool
    unread: bool
    last_seq: int
    read_seq: int
    other_read_seq: int
    created_at: datetime
    last_message_at: datetime
    tray: TrayName | None = None
    signals: list[SignalOut] | None = None
    expires_at: datetime | None = None


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    next: str | None


class MessageOut(Schema):
    """One message. A deleted one is a tombstone: its seq stays, its words are gone."""

    id: int
    seq: int
    conversation: int
    author: str | None
    body: str
    body_html: str
    sent_at: datetime
    edited_at: datetime | None
    deleted: bool
    client_id: str


class ConversationIn(Schema):
    to: str
    post: int | None = Field(default=None, ge=1, le=ID_MAX)
    message: str
    client_id: str


class MessageIn(Schema):
    body: str
    client_id: str


class MessageEditIn(Schema):
    body: str


class ReadIn(Schema):
    seq: int = Field(ge=0, le=SEQ_MAX)


class TrayIn(Schema):
    tray: TrayName


class PostRequestsOut(Schema):
    """Whether a post takes conversation requests about it."""

    post: int
    requests_paused: bool


class MyRequestsOut(Schema):
    """Whether one takes conversation requests, and the notice about requests held
    during a pile-on (`null` once put away, or when there was none)."""

    requests_paused: bool
    notice: str | None


class ConversationFilters(Schema):
    state: StateName | None = None
    tray: TrayName | None = None
    cursor: str | None = None


class MessageRange(Schema):
    after: int = Field(default=0, ge=0, le=SEQ_MAX)
    limit: int = Field(default=100, ge=1, le=500)


def _shown(conversation: Conversation, viewer: Member) -> dict[str, Any]:
    # A request past its lifetime is expired whether or not the periodic job marked it.
    if conversation.is_expired_request:
        conversation.state = Conversation.State.EXPIRED
    return conversation_payload(conversation, viewer)


def _conversation(member: Member, conversation_id: int) -> Conversation:
    if not 1 <= conversation_id <= ID_MAX:
        raise Http404
    conversations = Conversation.objects.visible_to(member).select_related(
        "initiator", "recipient"
    )
    return get_object_or_404(conversations, pk=conversation_id)


def _message(conversation: Conversation, seq: int) -> Message:
    if not 1 <= seq <= SEQ_MAX:
        raise Http404
    message = get_object_or_404(conversation.messages.select_related("author"), seq=seq)
    message.conversation = conversation
    return message


def _recipient(handle: str) -> Member:
    if "@" in handle.strip().lstrip("@"):
        # Someone on another server (@name@server): found through federation.
        from fireside.federation.resolve import resolve_handle

        return resolve_handle(handle)
    handle = normalize_handle(handle)
    if HANDLE_PATTERN.fullmatch(handle):
        member = Member.objects.visible_to(None).filter(handle=handle).first()
        if member is not None:
            return member
    raise FieldNotFound("to", f"There is no member @{handle[:30]}.")


def _readable_post(member: Member, post_id: int | None) -> Post | None:
    if post_id is None:
        return None
    post = Post.objects.visible_to(member).filter(pk=post_id).first()
    if post is None:
        raise FieldNotFound("post", f"There is no post {post_id} you can read.")
    return post


def _inbox(member: Member, filters: ConversationFilters) -> dict[str, Any]:
    cutoff = timezone.now() - REQUEST_LIFETIME
    waiting = Q(state=Conversation.State.REQUESTED, created_at__gt=cutoff)
    lapsed = Q(state=Conversation.State.REQUESTED, created_at__lte=cutoff)
    conversations = (
        Conversation.objects.visible_to(member)
        .unblocked_for(member)
        .select_related("initiator", "recipient")
        .annotate(
            turn=Case(
                When(waiting & Q(recipient=member), then=Value(1)),
                When(
                    Q(state=Conversation.State.ACTIVE)
                    & Q(last_author__isnull=False)
                    & ~Q(last_author=member),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-turn", "-last_message_at", "-id")
    )
    if filters.state == "requested":
        conversations = conversations.filter(waiting)
    elif filters.state == "expired":
        conversations = conversations.filter(lapsed | Q(state=filters.state))
    elif filters.state:
        conversations = conversations.filter(state=filters.state)
    if filters.tray:
        conversations = conversations.filter(
            waiting, recipient=member, tray=filters.tray
        )
    page, next_cursor = queries.turn_ordered_page(
        conversations, member, filters.cursor or "", PAGE_SIZE
    )
    return {
        "items": [_shown(conversation, member) for conversation in page],
        "next": next_cursor,
    }


@router.post(
    "conversations",
    response={200: ConversationOut, 201: ConversationOut},
    by_alias=True,
    exclude_unset=True,
)
def request_conversation(
    request: HttpRequest, payload: ConversationIn
) -> Status[dict[str, Any]]:
    """Ask a member (`to`, a handle) for a conversation with an opening `message`,
    optionally about a `post` one can read. `to` may name someone on another server
    of the fediverse (`@name@server`): they are found by WebFinger, and the messages
    travel to their server, not end-to-end encrypted (400 `federation_off`,
    `malformed_handle` or `instance_blocked`; 404 `remote_not_found`).
    201 with the request; repeating a `client_id` answers 200 with the request it
    made first, never a second one. 403 `requests_paused` when the member, or the
    post, is not taking requests right now. A request may land in the recipient's
    Later tray (unfamiliar-sender signals, or many requests within the hour) without
    notifying them; the sender is not told."""
    member = request_member(request)
    recipient = _recipient(payload.to)
    post = _readable_post(member, payload.post)
    started = timezone.now()
    conversation = actions.request_conversation(
        by=member,
        to=recipient,
        message=payload.message,
        client_id=payload.client_id,
        post=post,
    )
    status = 201 if conversation.created_at >= started else 200
    conversation = _conversation(member, conversation.pk)
    return Status(status, _shown(conversation, member))


@router.get(
    "conversations", response=ConversationPageOut, by_alias=True, exclude_unset=True
)
def list_conversations(
    request: HttpRequest, filters: Query[ConversationFilters]
) -> dict[str, Any]:
    """One's conversations, those waiting for one's turn first, then by newest activity,
    20 a page; `next` is the cursor of the next page. `state` keeps one state; `tray`
    keeps the requests one received in that tray."""
    return _inbox(request_member(request), filters)


@router.get(
    "conversations/{conversation_id}",
    response=ConversationOut,
    by_alias=True,
    exclude_unset=True,
)
def conversation_detail(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    member = request_member(request)
    return _shown(_conversation(member, conversation_id), member)


def _answer(request: HttpRequest, conversation_id: int, action: Any) -> dict[str, Any]:
    member = request_member(request)
    conversation = action(_conversation(member, conversation_id), by=member)
    return _shown(_conversation(member, conversation.pk), member)


@router.post(
    "conversations/{conversation_id}/accept",
    response=ConversationOut,
    by_alias=True,
    exclude_unset=True,
)
def accept_conversation(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    """Accept a request one received: the conversation becomes active."""
    return _answer(request, conversation_id, actions.accept_conversation)


@router.post(
    "conversations/{conversation_id}/decline",
    response=ConversationOut,
    by_alias=True,
    exclude_unset=True,
)
def decline_conversation(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    """Say "not now" to a request one received; no reason is asked."""
    return _answer(request, conversation_id, actions.decline_conversation)


@router.post(
    "conversations/{conversation_id}/archive",
    response=ConversationOut,
    by_alias=True,
    exclude_unset=True,
)
def archive_conversation(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    """Archive an active conversation; neither member can write to it after."""
    return _answer(request, conversation_id, actions.archive_conversation)


@router.post(
    "conversations/{conversation_id}/tray",
    response=ConversationOut,
    summary="Move a request between the Requests and Later trays",
    by_alias=True,
    exclude_unset=True,
)
def move_request(
    request: HttpRequest, conversation_id: int, payload: TrayIn
) -> dict[str, Any]:
    """Move a request one received, still waiting for an answer, between one's
    `requests` and `later` trays. Nobody is told; it can be accepted from either."""
    member = request_member(request)
    conversation = actions.move_request(
        _conversation(member, conversation_id), by=member, tray=payload.tray
    )
    return _shown(_conversation(member, conversation.pk), member)


def _own_post(member: Member, post_id: int) -> Post:
    if not 1 <= post_id <= ID_MAX:
        raise Http404
    return get_object_or_404(Post.objects.visible_to(member), pk=post_id)


@router.post(
    "posts/{post_id}/requests/pause",
    response=PostRequestsOut,
    summary="Pause requests about one's post",
)
def pause_post_requests(request: HttpRequest, post_id: int) -> dict[str, Any]:
    """Pause conversation requests about one's own post: new requests citing it are
    refused (403 `requests_paused`) until resumed. Requests already made stay."""
    member = request_member(request)
    post = actions.set_post_requests_paused(
        _own_post(member, post_id), by=member, paused=True
    )
    return {"post": post.pk, "requests_paused": post.requests_paused}


@router.post(
    "posts/{post_id}/requests/resume",
    response=PostRequestsOut,
    summary="Resume requests about one's post",
)
def resume_post_requests(request: HttpRequest, post_id: int) -> dict[str, Any]:
    """Take conversation requests about one's own post again."""
    member = request_member(request)
    post = actions.set_post_requests_paused(
        _own_post(member, post_id), by=member, paused=False
    )
    return {"post": post.pk, "requests_paused": post.requests_paused}


def _my_requests(member: Member) -> dict[str, Any]:
    notice = queries.request_notice(member)
    return {
        "requests_paused": member.requests_paused,
        "notice": NOTICE_TEXT if notice is not None else None,
    }


@router.get(
    "me/requests",
    response=MyRequestsOut,
    summary="Whether one takes requests, and the pile-on notice",
)
def my_requests(request: HttpRequest) -> dict[str, Any]:
    """Whether one takes conversation requests, and any notice about a pile-on."""
    return _my_requests(request_member(request))


@router.post(
    "me/requests/pause", response=MyRequestsOut, summary="Pause requests to oneself"
)
def pause_my_requests(request: HttpRequest) -> dict[str, Any]:
    """Pause every new conversation request to oneself: they are refused (403
    `requests_paused`) until resumed. Requests already made stay."""
    member = actions.set_requests_paused(request_member(request), paused=True)
    return _my_requests(member)


@router.post(
    "me/requests/resume", response=MyRequestsOut, summary="Resume requests to oneself"
)
def resume_my_requests(request: HttpRequest) -> dict[str, Any]:
    """Take conversation requests again."""
    member = actions.set_requests_paused(request_member(request), paused=False)
    return _my_requests(member)


@router.post(
    "me/requests/notice/dismiss",
    response=MyRequestsOut,
    summary="Put away the pile-on notice",
)
def dismiss_request_notice(request: HttpRequest) -> dict[str, Any]:
    """Put away the notice about requests held in Later during a pile-on."""
    member = request_member(request)
    actions.dismiss_request_notice(member)
    return _my_requests(member)


@router.get("conversations/{conversation_id}/messages", response=list[MessageOut])
def list_messages(
    request: HttpRequest, conversation_id: int, window: Query[MessageRange]
) -> list[dict[str, Any]]:
    """The messages after seq `after` (0: from the start), in seq order, at most `limit`
    (default 100, at most 500). Seqs have no gaps: a client that saw up to N asks for
    `after=N` and gets everything it missed."""
    conversation = _conversation(request_member(request), conversation_id)
    messages = conversation.messages.filter(seq__gt=window.after).select_related(
        "author"
    )
    return [message_payload(message) for message in messages[: window.limit]]


@router.post(
    "conversations/{conversation_id}/messages",
    response={200: MessageOut, 201: MessageOut},
)
def send_message(
    request: HttpRequest, conversation_id: int, payload: MessageIn
) -> Status[dict[str, Any]]:
    """Add a message (Markdown, at most 4,000 characters) to an active conversation:
    201 once it is committed. Repeating a `client_id` answers 200 with the first
    message, never a duplicate."""
    member = request_member(request)
    conversation = _conversation(member, conversation_id)
    started = timezone.now()
    message = actions.send_message(
        conversation, by=member, body=payload.body, client_id=payload.client_id
    )
    status = 201 if message.sent_at >= started else 200
    return Status(status, message_payload(message))


@router.patch("conversations/{conversation_id}/messages/{seq}", response=MessageOut)
def edit_message(
    request: HttpRequest, conversation_id: int, seq: int, payload: MessageEditIn
) -> dict[str, Any]:
    """Change one's own message within 5 minutes of sending; the earlier words are kept."""
    member = request_member(request)
    message = _message(_conversation(member, conversation_id), seq)
    return message_payload(actions.edit_message(message, by=member, body=payload.body))


@router.delete("conversations/{conversation_id}/messages/{seq}", response=MessageOut)
def delete_message(
    request: HttpRequest, conversation_id: int, seq: int
) -> dict[str, Any]:
    """Delete one's own message; a tombstone keeps its seq, so nothing renumbers."""
    member = request_member(request)
    message = _message(_conversation(member, conversation_id), seq)
    return message_payload(actions.delete_message(message, by=member))


@router.post("conversations/{conversation_id}/read", response={204: None})
def mark_read(
    request: HttpRequest, conversation_id: int, payload: ReadIn
) -> Status[None]:
    """Note that one has read up to `seq`; the marker never moves backwards."""
    member = request_member(request)
    actions.mark_read(
        _conversation(member, conversation_id), by=member, seq=payload.seq
    )
    return Status(204, None)

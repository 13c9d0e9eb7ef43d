"""Connections in the JSON API: offer, accept, decline, let go, the private network audit,
and reminder settings. Everything here is the member's own: nobody can list another
member's connections, and no count of them exists."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fireside.accounts.authentication import member_auth, request_member
from fireside.accounts.handles import HANDLE_PATTERN, normalize_handle
from fireside.accounts.models import Member
from fireside.connections import actions, queries
from fireside.connections.models import Connection, ConnectionOffer
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotFound

router = Router(tags=["connections"], auth=member_auth)

ID_MAX = 2**63 - 1


class FieldNotFound(NotFound):
    def __init__(self, field: str, message: str) -> None:
        self.errors = {field: [message]}
        super().__init__(message)


class MemberRefOut(Schema):
    handle: str
    display_name: str


class OfferIn(Schema):
    handle: str
    #: The conversation the offer comes from (optional context).
    conversation: int | None = None


class ConnectionStateOut(Schema):
    """Where things stand with one member: `offered` (waiting for their answer) or
    `connected`."""

    handle: str
    display_name: str
    state: Literal["offered", "connected"]


class ConnectionOut(Schema):
    member: MemberRefOut
    connected_at: datetime


class OfferOut(Schema):
    member: MemberRefOut
    offered_at: datetime
    conversation: int | None


class ConnectionsOut(Schema):
    """The member's own connections, and the offers waiting for their answer."""

    items: list[ConnectionOut]
    offers: list[OfferOut]


class AuditItemOut(Schema):
    member: MemberRefOut
    connected_at: datetime
    last_talked_at: datetime | None
    #: The latest conversation between the two.
    conversation: int | None
    balance: Literal["balanced", "mostly_you", "mostly_them", "unknown"]
    state: Literal["active", "fading", "dormant"]


class AuditOut(Schema):
    items: list[AuditItemOut]


class ReminderSettingsIn(Schema):
    audit_reminder: bool | None = None
    email_digest: bool | None = None


class ReminderSettingsOut(Schema):
    audit_reminder: bool
    email_digest: bool


def _member(raw: str, field: str = "handle") -> Member:
    handle = normalize_handle(raw)
    member = None
    if HANDLE_PATTERN.fullmatch(handle):
        member = Member.objects.active().filter(handle=handle).first()
    if member is None:
        raise FieldNotFound(field, f"There is no member @{handle[:30]}.")
    return member


def _ref(member: Member) -> MemberRefOut:
    return MemberRefOut(handle=member.handle, display_name=member.display_name)


def _state(found: Connection | ConnectionOffer, other: Member) -> ConnectionStateOut:
    state: Literal["offered", "connected"] = (
        "connected" if isinstance(found, Connection) else "offered"
    )
    return ConnectionStateOut(
        handle=other.handle, display_name=other.display_name, state=state
    )


@router.get("connections", response=ConnectionsOut)
def list_connections(request: HttpRequest) -> ConnectionsOut:
    """The member's own connections, newest first, and the offers they received."""
    member = request_member(request)
    return ConnectionsOut(
        items=[
            ConnectionOut(member=_ref(c.other), connected_at=c.connected_at)
            for c in queries.connections_of(member)
        ],
        offers=[
            OfferOut(
                member=_ref(o.from_member),
                offered_at=o.offered_at,
                conversation=o.conversation_id,
            )
            for o in queries.offers_received(member)
        ],
    )


@router.post("connections", response={201: ConnectionStateOut, 200: ConnectionStateOut})
def offer_connection(
    request: HttpRequest, payload: OfferIn
) -> Status[ConnectionStateOut]:
    """Offer to keep in touch with `handle` after a conversation in which both of you
    wrote (403 `not_talked` otherwise). 201 `offered`; or 200 `connected` when they had
    offered too, or you already keep in touch."""
    member = request_member(request)
    other = _member(payload.handle)
    conversation = None
    if payload.conversation is not None and 0 < payload.conversation <= ID_MAX:
        conversation = (
            Conversation.objects.visible_to(member)
            .filter(pk=payload.conversation)
            .first()
        )
    found = actions.offer_connection(other, by=member, conversation=conversation)
    result = _state(found, other)
    return Status(200 if result.state == "connected" else 201, result)


@router.post("connections/{handle}/accept", response=ConnectionStateOut)
def accept_connection(request: HttpRequest, handle: str) -> ConnectionStateOut:
    """Accept `handle`'s offer to keep in touch (404 `no_offer` when there is none)."""
    member = request_member(request)
    other = _member(handle)
    return _state(actions.accept_connection(other, by=member), other)


@router.post("connections/{handle}/decline", response={204: None})
def decline_connection(request: HttpRequest, handle: str) -> Status[None]:
    """Decline `handle`'s offer, quietly: they are not told."""
    member = request_member(request)
    actions.decline_connection(_member(handle), by=member)
    return Status(204, None)


@router.get("connections/audit", response=AuditOut)
def audit(request: HttpRequest) -> AuditOut:
    """Your network audit, longest silence first: when you last talked with each
    connection, the balance of your last 20 messages between you (`balanced` when each
    wrote at least a third), and `active` (talked within 30 days), `fading` (30–90) or
    `dormant` (90 or more)."""
    member = request_member(request)
    return AuditOut(
        items=[
            AuditItemOut(
                member=_ref(row.other),
                connected_at=row.connection.connected_at,
                last_talked_at=row.last_talked_at,
                conversation=row.last_conversation_id,
                balance=row.balance,  # type: ignore[arg-type]
                state=row.state,  # type: ignore[arg-type]
            )
            for row in queries.audit(member)
        ]
    )


@router.get("connections/settings", response=ReminderSettingsOut)
def reminder_settings(request: HttpRequest) -> ReminderSettingsOut:
    """Your reminder choices: the monthly audit reminder (on by default) and the daily
    "your turn" email digest (off by default)."""
    choice = actions.reminder_settings_of(request_member(request))
    return ReminderSettingsOut(
        audit_reminder=choice.audit_reminder, email_digest=choice.email_digest
    )


@router.put("connections/settings", response=ReminderSettingsOut)
def update_reminder_settings(
    request: HttpRequest, payload: ReminderSettingsIn
) -> ReminderSettingsOut:
    """Switch the audit reminder or the email digest; a field left out stays as it is."""
    member = request_member(request)
    current = actions.reminder_settings_of(member)
    choice = actions.set_reminder_settings(
        member,
        audit_reminder=current.audit_reminder
        if payload.audit_reminder is None
        else payload.audit_reminder,
        email_digest=current.email_digest
        if payload.email_digest is None
        else payload.email_digest,
    )
    return ReminderSettingsOut(
        audit_reminder=choice.audit_reminder, email_digest=choice.email_digest
    )


# Last: a path with {handle} would otherwise take connections/audit and /settings.
@router.delete("connections/{handle}", response={204: None})
def let_go(request: HttpRequest, handle: str) -> Status[None]:
    """Let a connection go, quietly: it disappears for both of you and the other member
    is not notified. 404 `not_connected` when you do not keep in touch."""
    member = request_member(request)
    actions.let_go(_member(handle), by=member)
    return Status(204, None)

"""Every change to connections: offers, accepting, declining, letting go; the reminders
that help members keep conversations and connections going, and their settings.

Quiet by design: declining an offer and letting a connection go tell nobody, and no
count of connections is kept anywhere."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.connections import permissions, queries
from fireside.connections.models import (
    AuditNotice,
    Connection,
    ConnectionOffer,
    ReminderSettings,
)
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotAllowed, NotFound
from fireside.core.mail import send_mail_on_commit

#: The audit reminder comes this long after the previous one (or the first connection).
AUDIT_EVERY = timedelta(days=30)
#: The digest goes at most once in this long, however often its task runs.
DIGEST_GAP = timedelta(hours=20)
#: Conversations listed in one digest mail at most.
DIGEST_MAX = 20


def _connect(one: Any, other: Any, *, conversation: Any) -> Connection:
    """Make both rows of the connection between ONE and OTHER, and drop the offers
    between them; return ONE's row. Called inside a transaction."""
    now = timezone.now()
    ConnectionOffer.objects.filter(
        Q(from_member=one, to_member=other) | Q(from_member=other, to_member=one)
    ).delete()
    existing = Connection.objects.filter(member=one, other=other).first()
    if existing is not None:
        return existing
    mine = Connection.objects.create(
        member=one, other=other, conversation=conversation, connected_at=now
    )
    Connection.objects.create(
        member=other, other=one, conversation=conversation, connected_at=now
    )
    return mine


def _latest_conversation(one: Any, other: Any) -> Conversation | None:
    return Conversation.objects.between(one, other).order_by("-last_message_at").first()


def offer_connection(
    to: Any, *, by: Any, conversation: Any = None
) -> Connection | ConnectionOffer:
    """Offer to keep in touch with TO, after a conversation in which both wrote.

    Returns the ConnectionOffer now waiting for TO's answer; or, when TO had already
    offered the same to BY, the Connection this forms at once (both asked). Offering
    again, or to a connection, changes nothing. TO sees the offer on their connections
    page, the conversation page and BY's profile; nothing else announces it."""
    permissions.check_offer_connection(by, to)
    if conversation is not None and {
        conversation.initiator_id,
        conversation.recipient_id,
    } != {by.pk, to.pk}:
        conversation = None
    conversation = conversation or _latest_conversation(by, to)
    try:
        with transaction.atomic():
            connected = Connection.objects.filter(member=by, other=to).first()
            if connected is not None:
                return connected
            theirs = ConnectionOffer.objects.filter(
                from_member=to, to_member=by
            ).first()
            if theirs is not None:
                return _connect(
                    by, to, conversation=theirs.conversation or conversation
                )
            offer, _ = ConnectionOffer.objects.get_or_create(
                from_member=by,
                to_member=to,
                defaults={"conversation": conversation},
            )
    except IntegrityError:  # the same offer, a moment ago, from another request
        return ConnectionOffer.objects.get(from_member=by, to_member=to)
    return offer


def _offer_to(member: Any, *, sender: Any) -> ConnectionOffer:
    offer = ConnectionOffer.objects.filter(from_member=sender, to_member=member).first()
    if offer is None:
        raise NotFound(
            f"@{sender.handle} has not offered to keep in touch with you.",
            code="no_offer",
        )
    return offer


def accept_connection(sender: Any, *, by: Any) -> Connection:
    """Accept SENDER's offer to keep in touch: the connection forms for both (BY's row
    is returned). The rules of offering are checked again, so a block since the offer
    stops it."""
    offer = _offer_to(by, sender=sender)
    permissions.check_offer_connection(by, sender)
    with transaction.atomic():
        return _connect(by, sender, conversation=offer.conversation)


def decline_connection(sender: Any, *, by: Any) -> ConnectionOffer:
    """Decline SENDER's offer, quietly: it leaves BY's list, and SENDER is not told (to
    them it still reads as offered)."""
    offer = _offer_to(by, sender=sender)
    if offer.declined_at is None:
        offer.declined_at = timezone.now()
        offer.save(update_fields=["declined_at"])
    return offer


def withdraw_offer(to: Any, *, by: Any) -> None:
    """Take back BY's offer to TO; TO is not told."""
    deleted, _ = ConnectionOffer.objects.filter(from_member=by, to_member=to).delete()
    if not deleted:
        raise NotFound(
            f"You have not offered to keep in touch with @{to.handle}.", code="no_offer"
        )


def let_go(other: Any, *, by: Any) -> None:
    """End BY's connection with OTHER, quietly: it disappears for both, and OTHER is
    not notified (no event, no notice). Conversations between them stay as they are."""
    with transaction.atomic():
        deleted, _ = Connection.objects.between(by, other).delete()
        ConnectionOffer.objects.filter(
            Q(from_member=by, to_member=other) | Q(from_member=other, to_member=by)
        ).delete()
    if not deleted:
        raise NotFound(
            f"You do not keep in touch with @{other.handle}.", code="not_connected"
        )


def end_connection_for_block(one: Any, other: Any) -> None:
    """Remove the connection and any offers between ONE and OTHER (a block)."""
    Connection.objects.between(one, other).delete()
    ConnectionOffer.objects.filter(
        Q(from_member=one, to_member=other) | Q(from_member=other, to_member=one)
    ).delete()


def reconnect(other: Any, *, by: Any, message: str) -> Conversation:
    """Ask OTHER, a connection of BY, for a new conversation with MESSAGE (the audit's
    "reconnect" prompt). The usual request rules apply: OTHER still decides."""
    if not queries.is_connected(by, other):
        raise NotAllowed(
            f"You do not keep in touch with @{other.handle}.", code="not_connected"
        )
    return conversations.request_conversation(by=by, to=other, message=message)


# Reminders -------------------------------------------------------------------------


def reminder_settings_of(member: Any) -> ReminderSettings:
    """MEMBER's reminder settings; an unsaved row with the defaults when none exists."""
    found = ReminderSettings.objects.filter(member=member).first()
    return found or ReminderSettings(member=member)


def set_reminder_settings(
    member: Any, *, audit_reminder: bool, email_digest: bool
) -> ReminderSettings:
    """Switch MEMBER's monthly audit reminder and daily email digest on or off."""
    choice, _ = ReminderSettings.objects.update_or_create(
        member=member,
        defaults={"audit_reminder": audit_reminder, "email_digest": email_digest},
    )
    return choice


def dismiss_audit_notices(member: Any) -> int:
    """Put away MEMBER's audit reminders (opening the audit does the same)."""
    return int(
        AuditNotice.objects.visible_to(member).update(dismissed_at=timezone.now())
    )


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_turn_digest(member: Any) -> bool:
    """Mail MEMBER the conversations waiting on them for more than 3 days, if they
    switched the digest on, have a verified address and were not mailed within
    DIGEST_GAP. Return whether a mail went out."""
    choice = ReminderSettings.objects.filter(member=member, email_digest=True).first()
    if choice is None or not member.is_active or not member.is_email_verified:
        return False
    now = timezone.now()
    if choice.digest_sent_at is not None and now - choice.digest_sent_at < DIGEST_GAP:
        return False
    waiting = list(queries.waiting_on(member)[:DIGEST_MAX])
    if not waiting:
        return False
    # Claimed with compare-and-set: two workers running the task mail once.
    claimed = ReminderSettings.objects.filter(
        pk=choice.pk, digest_sent_at=choice.digest_sent_at
    ).update(digest_sent_at=now)
    if not claimed:
        return False
    items = []
    for conversation in waiting:
        other = conversation.other(member)
        items.append(
            {
                "display_name": other.display_name,
                "handle": other.handle,
                "about": conversation.post.title if conversation.post else "",
                "since": conversation.last_message_at.strftime("%-d %B"),
                "link": _link(reverse("conversation_detail", args=[conversation.pk])),
            }
        )
    send_mail_on_commit(
        member.email,
        "connections/mail/turn_digest",
        {
            "display_name": member.display_name,
            "items": items,
            "settings_link": _link(reverse("reminder_settings")),
        },
    )
    return True


def send_turn_digests() -> int:
    """Send the daily digest to every member who switched it on; return how many were
    mailed. Safe to run any number of times (DIGEST_GAP)."""
    sent = 0
    members = Member.objects.active().filter(
        reminder_settings__email_digest=True, email_verified_at__isnull=False
    )
    for member in members.iterator():
        with transaction.atomic():
            sent += send_turn_digest(member)
    return sent


def remind_audits() -> int:
    """Leave a monthly audit reminder for every member with connections who has not
    switched it off: an in-app notice, and a mail too when their email digest is on.
    The first comes AUDIT_EVERY after the first connection. Safe to run any number of
    times; return how many members were reminded."""
    now = timezone.now()
    cutoff = now - AUDIT_EVERY
    quiet = ReminderSettings.objects.filter(
        Q(audit_reminder=False) | Q(audit_reminded_at__gt=cutoff)
    ).values("member_id")
    due = (
        Connection.objects.values("member_id")
        .annotate(first=Min("connected_at"))
        .filter(first__lte=cutoff)
        .exclude(member_id__in=quiet)
        .values_list("member_id", flat=True)
    )
    reminded = 0
    for member in Member.objects.active().local().filter(pk__in=list(due)):
        with transaction.atomic():
            choice, _ = ReminderSettings.objects.get_or_create(member=member)
            claimed = (
                ReminderSettings.objects.filter(pk=choice.pk)
                .filter(
                    Q(audit_reminded_at__isnull=True) | Q(audit_reminded_at__lte=cutoff)
                )
                .update(audit_reminded_at=now)
            )
            if not claimed:
                continue
            if not AuditNotice.objects.visible_to(member).exists():
                AuditNotice.objects.create(member=member, created_at=now)
            if choice.email_digest and member.is_email_verified:
                send_mail_on_commit(
                    member.email,
                    "connections/mail/audit_reminder",
                    {
                        "display_name": member.display_name,
                        "audit_link": _link(reverse("connection_audit")),
                        "settings_link": _link(reverse("reminder_settings")),
                    },
                )
            reminded += 1
    return reminded

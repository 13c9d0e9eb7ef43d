"""Read-only queries behind the connection pages: the network audit, the conversations
waiting on a member, and the dialogues of a member's connections for the home feed.

The audit's words, in one place:

- *last talked*: the last message between the two, in any conversation they had;
- *state*: `active` when they talked within ACTIVE_WITHIN (30 days), `fading` within
  FADING_WITHIN (90 days), `dormant` after that;
- *balance*: over the last BALANCE_MESSAGES (20) messages between the two, in any
  conversation, `balanced` when each wrote at least a third of them; otherwise
  `mostly_you` or `mostly_them`, whoever wrote more (`unknown` when none are left, e.g.
  the other account closed). A share, never shown as a number."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from fireside.connections.models import Connection, ConnectionOffer
from fireside.conversations.models import Conversation, ConversationQuerySet, Message
from fireside.dialogues.models import Dialogue, DialogueQuerySet
from fireside.safety.queries import hidden_dialogues

ACTIVE_WITHIN = timedelta(days=30)
FADING_WITHIN = timedelta(days=90)
BALANCE_MESSAGES = 20
#: A conversation whose last message came from the other member this long ago waits on
#: the member: it earns a "your turn" reminder.
TURN_REMINDER_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class AuditRow:
    connection: Connection
    other: Any
    last_talked_at: datetime | None
    #: The latest conversation between the two, for "pick up where you left off".
    last_conversation_id: int | None
    balance: str
    state: str

    @property
    def is_dormant(self) -> bool:
        return self.state == "dormant"


def state_after(last_talked_at: datetime | None, now: datetime) -> str:
    if last_talked_at is None or now - last_talked_at >= FADING_WITHIN:
        return "dormant"
    if now - last_talked_at >= ACTIVE_WITHIN:
        return "fading"
    return "active"


def balance_of(yours: int, theirs: int) -> str:
    total = yours + theirs
    if total == 0:
        return "unknown"
    # Each wrote at least a third (3 * share >= total keeps it in whole numbers).
    if 3 * yours >= total and 3 * theirs >= total:
        return "balanced"
    return "mostly_you" if yours > theirs else "mostly_them"


def connections_of(member: Any) -> list[Connection]:
    """MEMBER's connections, most recently formed first, each with `other` loaded."""
    return list(
        Connection.objects.visible_to(member)
        .select_related("other")
        .order_by("-connected_at", "-id")
    )


def is_connected(one: Any, other: Any) -> bool:
    return Connection.objects.filter(member=one, other=other).exists()


def offers_received(member: Any) -> list[ConnectionOffer]:
    return list(
        ConnectionOffer.objects.received_by(member)
        .select_related("from_member", "conversation")
        .order_by("-offered_at", "-id")
    )


def offers_sent(member: Any) -> list[ConnectionOffer]:
    return list(
        ConnectionOffer.objects.sent_by(member)
        .select_related("to_member")
        .order_by("-offered_at", "-id")
    )


def _conversations_with(member: Any, others: Any) -> ConversationQuerySet:
    return Conversation.objects.filter(
        Q(initiator=member, recipient__in=others)
        | Q(recipient=member, initiator__in=others)
    )


def audit(member: Any) -> list[AuditRow]:
    """MEMBER's network audit: every connection with when the two last talked, the
    balance of their back-and-forth and its state, longest silence first. Three queries
    however many connections."""
    connections = connections_of(member)
    if not connections:
        return []
    others = [connection.other_id for connection in connections]
    last: dict[int, tuple[datetime, int]] = {}
    conversations = _conversations_with(member, others).values_list(
        "id", "initiator_id", "recipient_id", "last_message_at"
    )
    for pk, initiator_id, recipient_id, moment in conversations:
        other_id = recipient_id if initiator_id == member.pk else initiator_id
        if other_id not in last or moment > last[other_id][0]:
            last[other_id] = (moment, pk)
    latest = (
        Message.objects.filter(conversation_id__in=[c for c, *_ in conversations])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[
                    F("conversation__pair_low"),
                    F("conversation__pair_high"),
                ],
                order_by=[F("sent_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=BALANCE_MESSAGES)
        .values_list("author_id", "conversation__pair_low", "conversation__pair_high")
    )
    yours: dict[int, int] = {}
    theirs: dict[int, int] = {}
    for author_id, low, high in latest:
        other_id = high if low == member.pk else low
        if author_id == member.pk:
            yours[other_id] = yours.get(other_id, 0) + 1
        elif author_id == other_id:
            theirs[other_id] = theirs.get(other_id, 0) + 1
    now = timezone.now()
    rows = []
    for connection in connections:
        found = last.get(connection.other_id)
        at = found[0] if found else None
        conversation_id = found[1] if found else None
        rows.append(
            AuditRow(
                connection=connection,
                other=connection.other,
                last_talked_at=at,
                last_conversation_id=conversation_id,
                balance=balance_of(
                    yours.get(connection.other_id, 0),
                    theirs.get(connection.other_id, 0),
                ),
                state=state_after(at, now),
            )
        )
    oldest = datetime.min.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda row: row.last_talked_at or oldest)


def waiting_on(member: Any) -> ConversationQuerySet:
    """Active conversations in which the other member wrote last, more than
    TURN_REMINDER_AFTER ago: MEMBER's turn, for a while. Never the other side's turn,
    and never a request (answering one is a choice, not a debt)."""
    return (
        Conversation.objects.visible_to(member)
        .unblocked_for(member)
        .filter(
            state=Conversation.State.ACTIVE,
            last_message_at__lte=timezone.now() - TURN_REMINDER_AFTER,
            last_author__isnull=False,
        )
        .exclude(last_author=member)
        .select_related("initiator", "recipient", "post")
        .order_by("last_message_at", "id")
    )


def has_waited_long(conversation: Conversation, member: Any) -> bool:
    """Whether CONVERSATION (already loaded) waits on MEMBER for more than
    TURN_REMINDER_AFTER; the same rule as waiting_on, without a query."""
    return bool(
        conversation.state == Conversation.State.ACTIVE
        and conversation.last_author_id not in (None, member.pk)
        and timezone.now() - conversation.last_message_at > TURN_REMINDER_AFTER
    )


def dialogues_of_connections(member: Any) -> DialogueQuerySet:
    """Published dialogues MEMBER may read in which one of the two who talked is a
    connection of MEMBER, newest first; not those with someone MEMBER blocked or muted."""
    others = Connection.objects.others_of(member)
    return (
        Dialogue.objects.visible_to(member)
        .filter(
            Q(conversation__initiator_id__in=others)
            | Q(conversation__recipient_id__in=others),
            published_at__isnull=False,
        )
        .exclude(hidden_dialogues(member))
        .select_related(
            "community", "post", "conversation__initiator", "conversation__recipient"
        )
        .newest_first()
    )

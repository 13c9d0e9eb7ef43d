"""Pile-on protection: when many people ask one member to talk within an hour, the extra
requests from people the member has no tie with wait in "Later", without notifications.

The rule, in one place: a request is *one too many* when, counting distinct senders of
requests to the same member over the last PILE_ON_WINDOW (an hour) in the database (so the
count holds across app processes), its sender is

- beyond the first PILE_ON_PEOPLE (5) people, or
- a level-0 account beyond the first PILE_ON_NEWCOMERS (3) level-0 accounts.

Such a request is held unless its sender has a tie with the member: a connection, or
standing as a regular in a community both belong to. Holding slows the crowd, never the
member it is aimed at; nobody is refused.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities.models import Membership
from fireside.connections.models import Connection
from fireside.conversations.models import Conversation
from fireside.trust.standing import standing_in

PILE_ON_WINDOW = timedelta(hours=1)
PILE_ON_PEOPLE = 5
PILE_ON_NEWCOMERS = 3


def are_connected(one: Any, other: Any) -> bool:
    """Whether ONE and OTHER keep in touch as connections (fireside.connections)."""
    return Connection.objects.filter(member=one, other=other).exists()


def has_shared_standing(sender: Any, recipient: Any) -> bool:
    """Whether SENDER is a regular of a community both belong to."""
    theirs = Membership.objects.active().filter(member=recipient).values("community_id")
    shared = (
        Membership.objects.active()
        .filter(member=sender, community_id__in=theirs)
        .select_related("community")
    )
    return any(standing_in(sender, m.community).is_regular for m in shared)


def is_one_too_many(sender: Any, recipient: Any) -> bool:
    """Whether a request from SENDER now would go beyond what RECIPIENT should be asked
    within the hour (see the module's rule)."""
    others = (
        Conversation.objects.filter(
            recipient=recipient, created_at__gt=timezone.now() - PILE_ON_WINDOW
        )
        .exclude(initiator=sender)
        .values("initiator_id")
        .distinct()
    )
    if others.count() + 1 > PILE_ON_PEOPLE:
        return True
    newcomer = Member.TrustLevel.NEWCOMER
    if sender.trust_level != newcomer:
        return False
    newcomers = others.filter(initiator__trust_level=newcomer).count()
    return newcomers + 1 > PILE_ON_NEWCOMERS


def should_hold(sender: Any, recipient: Any) -> bool:
    """Whether pile-on protection holds SENDER's request to RECIPIENT in Later."""
    return (
        is_one_too_many(sender, recipient)
        and not are_connected(sender, recipient)
        and not has_shared_standing(sender, recipient)
    )

"""The facts trust is computed from, each one query a member could check for themselves.

Two of them have no source yet and count 0 through one named function each, so the apps
that will own them fill them in at one place:
- `upheld_actions_against`: moderation actions upheld against a member (issue 6, the
  moderation app);
- `dialogues_published`: dialogues both members agreed to publish (the dialogues issue).
"""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from fireside.conversations.models import Conversation
from fireside.trust.models import ActiveDay

#: States of a conversation whose request the recipient accepted. A conversation that
#: ended by a block is left out on purpose: it went badly for someone.
ACCEPTED_STATES = [Conversation.State.ACTIVE, Conversation.State.ARCHIVED]


def upheld_actions_against(member: Any, since: datetime, community: Any = None) -> int:
    """Count moderation actions against MEMBER upheld since SINCE (in COMMUNITY if given):
    hides, warnings, mutes, suspensions and bans that took effect since SINCE and were
    not overturned (a dismissal is not against anyone; granting or revoking level 4 is
    a trust decision, not a sanction). A period that ended still counts: it was upheld."""
    from fireside.moderation.models import ModAction

    actions = ModAction.objects.filter(
        subject=member,
        state=ModAction.State.IN_FORCE,
        kind__in=ModAction.SANCTIONS,
        in_force_at__gte=since,
    )
    if community is not None:
        actions = actions.filter(community=community)
    return actions.count()


def dialogues_published(member: Any) -> int:
    """Count the published dialogues MEMBER took part in."""
    from fireside.dialogues.models import Dialogue  # dialogues builds on trust

    return (
        Dialogue.objects.filter(state=Dialogue.State.PUBLISHED)
        .filter(Q(conversation__initiator=member) | Q(conversation__recipient=member))
        .count()
    )


def days_active(member: Any, since: Any = None) -> int:
    """Count the days MEMBER used Fireside (since the date SINCE, if given)."""
    days = ActiveDay.objects.filter(member=member)
    if since is not None:
        days = days.filter(day__gte=since)
    return days.count()


def accepted_requests_by(member: Any) -> "QuerySet[Conversation]":
    """Conversations MEMBER asked for and the other person accepted."""
    return Conversation.objects.filter(initiator=member, state__in=ACCEPTED_STATES)


def accepted_conversations_with(member: Any) -> "QuerySet[Conversation]":
    """Accepted conversations MEMBER took part in, on either side."""
    return Conversation.objects.filter(
        Q(initiator=member) | Q(recipient=member), state__in=ACCEPTED_STATES
    )

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations.models import Conversation
from fireside.trust.actions import backdate_activity


def aged_member(days=0, active_days=0, **fields):
    """A member who joined DAYS ago and was active on ACTIVE_DAYS of them."""
    joined = timezone.now() - timedelta(days=days)
    member = MemberFactory(joined_at=joined, **fields)
    today = timezone.now().date()
    backdate_activity(member, [today - timedelta(days=n) for n in range(active_days)])
    return member


def accepted_requests(member, count, *, people):
    """COUNT conversations MEMBER asked for, accepted, spread over PEOPLE recipients."""
    recipients = [MemberFactory() for _ in range(people)]
    for n in range(count):
        other = recipients[n % people]
        low, high = sorted([member.pk, other.pk])
        # Several per pair over time: earlier ones archived, so the pair stays valid.
        Conversation.objects.create(
            initiator=member,
            recipient=other,
            pair_low=low,
            pair_high=high,
            state=Conversation.State.ARCHIVED,
            decided_at=timezone.now(),
        )
    return recipients

"""A member's standing inside one community: what they have done there, and what it lets
them do there. Computed on demand (three small queries); nothing is stored.

- days present: days the member was active on Fireside while a member of the community;
- accepted conversations: accepted conversations (either side) with active members of it;
- upheld actions: moderation actions upheld against them there in the last 30 days
  (see queries.upheld_actions_against).

A regular of a community has been present on 14 days and had 3 accepted conversations with
its members, with nothing upheld against them there in 30 days: the same shape as trust
level 2, scaled to one place, so a newcomer to the community earns it in about two weeks.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from fireside.communities.models import Membership
from fireside.trust import queries

#: Days present and accepted conversations a community's regulars have.
REGULAR_DAYS_PRESENT = 14
REGULAR_ACCEPTED_CONVERSATIONS = 3
#: How far back an upheld action keeps someone from being a regular, and from links.
UPHELD_LOOKBACK = timedelta(days=30)


@dataclass(frozen=True)
class Standing:
    days_present: int
    accepted_conversations: int
    upheld_actions: int
    is_member: bool = False
    is_suspended: bool = False
    #: The member's instance-wide trust level, which also gates links.
    trust_level: int = 0

    @property
    def is_regular(self) -> bool:
        return (
            self.is_member
            and not self.is_suspended
            and self.days_present >= REGULAR_DAYS_PRESENT
            and self.accepted_conversations >= REGULAR_ACCEPTED_CONVERSATIONS
            and self.upheld_actions == 0
        )

    @property
    def may_post_links(self) -> bool:
        """Links in posts: from trust level FIRESIDE_LINKS_MIN_LEVEL on, or a regular here,
        and never with an action upheld here recently (links are what spam carries)."""
        from fireside.trust.limits import links_allowed_at

        if self.upheld_actions or self.is_suspended:
            return False
        return links_allowed_at(self.trust_level) or self.is_regular

    @property
    def may_report(self) -> bool:
        """Any active member who is not suspended here: reports are how people get help."""
        return self.is_member and not self.is_suspended

    @property
    def may_request_regulars_only(self) -> bool:
        """May ask for a 1:1 a member who takes requests only from this community's
        regulars."""
        return self.is_regular


def is_suspended_in(member: Any, community: Any) -> bool:
    """Whether MEMBER is suspended (or banned) in COMMUNITY now."""
    from fireside.moderation.models import ModAction

    if member is None or not member.is_authenticated:
        return False
    return ModAction.objects.restricting(
        member, community, kinds=[ModAction.Kind.SUSPEND, ModAction.Kind.BAN]
    ).exists()


def standing_in(member: Any, community: Any) -> Standing:
    """Return MEMBER's standing in COMMUNITY (all zeros for anonymous visitors)."""
    if member is None or not member.is_authenticated:
        return Standing(days_present=0, accepted_conversations=0, upheld_actions=0)
    membership = (
        Membership.objects.active()
        .filter(member=member, community=community)
        .only("joined_at", "requested_at")
        .first()
    )
    now = timezone.now()
    upheld = queries.upheld_actions_against(
        member, since=now - UPHELD_LOOKBACK, community=community
    )
    if membership is None:
        return Standing(
            days_present=0,
            accepted_conversations=0,
            upheld_actions=upheld,
            trust_level=member.trust_level,
        )
    joined = membership.joined_at or membership.requested_at
    community_members = Membership.objects.active().filter(community=community)
    accepted = (
        queries.accepted_conversations_with(member)
        .filter(
            pair_low__in=community_members.values("member_id"),
            pair_high__in=community_members.values("member_id"),
        )
        .count()
    )
    return Standing(
        days_present=queries.days_active(member, since=joined.date()),
        accepted_conversations=accepted,
        upheld_actions=upheld,
        is_member=True,
        is_suspended=is_suspended_in(member, community),
        trust_level=member.trust_level,
    )

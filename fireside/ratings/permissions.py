"""Who may rate a post or a dialogue. Reading a target at all goes through its
`visible_to`, so a target a member cannot read is "not found" before any of these apply.

A member may rate an item of a community when they
- are an active member of it, and have been for at least a day (MEMBERSHIP_AGE), so a
  crowd cannot join and rate in one sitting;
- have trust level 1 (member) or more, earned on Fireside by time and conduct;
- are not suspended (or banned) there now — a mute, which stops posting, does not stop
  private rating;
- did not write it: not the post's author, not one of the two voices of a dialogue;
- and the item is live: a deleted or hidden post, or a dialogue that is not published,
  cannot be rated.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fireside.communities.models import Membership
from fireside.core.exceptions import NotAllowed
from fireside.dialogues.models import Dialogue
from fireside.moderation.permissions import check_not_restricted
from fireside.posts.models import Post
from fireside.trust.standing import is_suspended_in

#: The lowest trust level that may rate.
MIN_TRUST_LEVEL = 1
#: How long someone must have belonged to a community before rating in it.
MEMBERSHIP_AGE = timedelta(days=1)

Target = Post | Dialogue


def _noun(target: Target) -> str:
    return "post" if isinstance(target, Post) else "dialogue"


def check_rate(member: Any, target: Target) -> None:
    """Raise NotAllowed, with the reason in words, unless MEMBER may rate TARGET (a post
    or a dialogue already fetched through its `visible_to`)."""
    if member is None or not member.is_authenticated:
        raise NotAllowed("Log in to rate.", code="not_authenticated")
    noun = _noun(target)
    if isinstance(target, Post):
        if target.author_id == member.pk:
            raise NotAllowed("You cannot rate your own post.", code="own_item")
        if target.is_deleted or target.is_hidden:
            raise NotAllowed(
                "This post is deleted or hidden, so it cannot be rated.",
                code="not_ratable",
            )
    else:
        if target.is_participant(member):
            raise NotAllowed(
                "You cannot rate a dialogue you took part in.", code="own_item"
            )
        if target.state != Dialogue.State.PUBLISHED:
            raise NotAllowed(
                "Only published dialogues can be rated.", code="not_ratable"
            )
    community = target.community
    # Standing here, as fireside.trust.standing reads it, without its conversation
    # counts (rating needs none of them, and a page asks for every item shown).
    membership = (
        Membership.objects.active()
        .filter(member=member, community=community)
        .values_list("joined_at", "requested_at")
        .first()
    )
    if membership is None:
        raise NotAllowed(
            f"Join {community.name} to rate its posts and dialogues.",
            code="not_a_member",
        )
    if is_suspended_in(member, community):
        check_not_restricted(member, community, doing="rate")
    if member.trust_level < MIN_TRUST_LEVEL:
        raise NotAllowed(
            "Rating opens at trust level 1 (member), which comes with a little time "
            "and good conversations on Fireside. Your trust page says what is left.",
            code="trust_level_too_low",
        )
    joined = membership[0] or membership[1]
    if timezone.now() - joined < MEMBERSHIP_AGE:
        raise NotAllowed(
            f"You joined {community.name} less than a day ago. You can rate its "
            f"{noun}s from tomorrow; until then, read and talk 1:1.",
            code="too_new_here",
        )


def can_rate(member: Any, target: Target) -> bool:
    try:
        check_rate(member, target)
    except NotAllowed:
        return False
    return True

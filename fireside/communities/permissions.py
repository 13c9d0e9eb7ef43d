"""Who may do what in a community. `can_*` answer templates; `check_*` raise with a reason."""

from typing import Any

from fireside.communities.models import Community, Membership
from fireside.core.exceptions import NotAllowed


def membership_of(member: Any, community: Community) -> Membership | None:
    if member is None or not member.is_authenticated:
        return None
    return Membership.objects.filter(community=community, member=member).first()


def is_active_member(member: Any, community: Community) -> bool:
    membership = membership_of(member, community)
    return membership is not None and membership.state == Membership.State.ACTIVE


def is_cohort(member: Any, community: Community) -> bool:
    membership = membership_of(member, community)
    return membership is not None and membership.is_cohort


def check_create_community(member: Any) -> None:
    """Raise unless MEMBER may create a community (for now: a verified email address)."""
    if not member.is_email_verified:
        raise NotAllowed(
            "Verify your email address before you create a community.",
            code="email_unverified",
        )


def check_manage_community(member: Any, community: Community) -> None:
    """Raise unless MEMBER belongs to the cohort: rules, settings, join requests, invites."""
    if not is_cohort(member, community):
        raise NotAllowed("Only the community's cohort may do that.", code="not_cohort")


def can_manage_community(member: Any, community: Community) -> bool:
    return is_cohort(member, community)


def check_post_in(member: Any, community: Community) -> None:
    """Raise unless MEMBER may open a post in COMMUNITY: its active members may."""
    if not is_active_member(member, community):
        raise NotAllowed(f"Join {community.name} to post there.", code="not_a_member")


def can_post_in(member: Any, community: Community) -> bool:
    return is_active_member(member, community)


def can_see_members(member: Any, community: Community) -> bool:
    """The members page is for members: a list, never a count."""
    return is_active_member(member, community)


def check_see_members(member: Any, community: Community) -> None:
    if not can_see_members(member, community):
        raise NotAllowed("Only members see who else belongs here.", code="not_a_member")


def can_lead(member: Any, community: Community) -> bool:
    membership = membership_of(member, community)
    return (
        membership is not None
        and membership.is_cohort
        and membership.role == Membership.Role.LEAD
    )


def check_lead(member: Any, community: Community) -> None:
    """Raise unless MEMBER leads COMMUNITY's cohort: inviting moderators, removing them,
    handing over the lead and the cohort's settings are the lead's duties."""
    if not can_lead(member, community):
        raise NotAllowed("Only the lead of the cohort may do that.", code="not_lead")

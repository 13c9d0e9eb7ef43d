"""Who may report what, and who may read cases. `check_*` raise with a reason; `can_*`
answer for pages."""

from typing import Any

from fireside.communities.models import Community, Membership
from fireside.core.exceptions import NotAllowed, ValidationFailed


def _is_message(target: Any) -> bool:
    from fireside.conversations.models import Message

    return isinstance(target, Message)


def _author_id(target: Any) -> Any:
    """The member TARGET is by (a post's or message's author), or TARGET itself."""
    if hasattr(target, "author_id"):
        return target.author_id
    return target.pk


def check_file_report(reporter: Any, target: Any, community: Community | None) -> None:
    """Raise unless REPORTER may report TARGET to COMMUNITY's cohort (or, with None, to
    the administrators).

    Reporting inside a community needs the standing to report there (an active member,
    not suspended). A message is reported by one of its conversation's two members, who
    need not belong to the community the conversation started from: someone harassed in
    private must always be able to ask for help, unless suspended there."""
    from fireside.trust.standing import standing_in

    kind = "message" if _is_message(target) else "post"
    if _author_id(target) == reporter.pk:
        what = "yourself" if not hasattr(target, "author_id") else f"your own {kind}"
        raise ValidationFailed(
            {"target": [f"You cannot report {what}."]}, code="own_target"
        )
    if community is None:
        return
    standing = standing_in(reporter, community)
    if standing.may_report:
        return
    if _is_message(target) and not standing.is_suspended:
        return
    if standing.is_suspended:
        raise NotAllowed(
            f"You are suspended in {community.name}, so you cannot report there for now.",
            code="suspended",
        )
    raise NotAllowed(
        f"Only members of {community.name} can report there. Join it first.",
        code="may_not_report",
    )


def is_cohort_member(member: Any, community: Community) -> bool:
    """Whether MEMBER moderates COMMUNITY (an active lead or moderator)."""
    if member is None or not member.is_authenticated:
        return False
    return (
        Membership.objects.cohort().filter(member=member, community=community).exists()
    )


def can_review_cases_of(member: Any, community: Community | None) -> bool:
    """Whether MEMBER reads COMMUNITY's cases: its cohort does; with None, the
    instance's administrators (staff) do."""
    if member is None or not member.is_authenticated:
        return False
    if community is None:
        return bool(member.is_staff)
    return is_cohort_member(member, community)

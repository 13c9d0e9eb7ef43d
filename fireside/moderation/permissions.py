"""Who may report what, and who may read cases. `check_*` raise with a reason; `can_*`
answer for pages."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fireside.communities.models import Community, Membership
from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed


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


def check_review_case(member: Any, case: Any) -> None:
    """Raise NotFound unless MEMBER reviews CASE: to everyone else it does not exist."""
    if not can_review_cases_of(member, case.community):
        raise NotFound()


def restriction_of(member: Any, community: Community) -> Any:
    """Return MEMBER's strongest restriction in force in COMMUNITY (ban, then
    suspension, then mute; the longest of a kind), or None."""
    from fireside.moderation.models import ModAction

    if member is None or not member.is_authenticated:
        return None
    held = list(ModAction.objects.restricting(member, community))
    if not held:
        return None
    order: dict[str, int] = {"ban": 0, "suspend": 1, "mute": 2}
    far = timezone.now() + timedelta(days=100 * 365)
    return min(
        held,
        key=lambda action: (order[action.kind], -(action.ends_at or far).timestamp()),
    )


def _until(action: Any) -> str:
    return f"{timezone.localtime(action.ends_at):%-d %B %Y}"


def check_not_restricted(member: Any, community: Community, *, doing: str) -> None:
    """Raise NotAllowed when a mute, suspension or ban in force in COMMUNITY keeps
    MEMBER from DOING ("post", …); the sentence names the end date.

    What each restriction stops in its community: a mute and a suspension stop opening
    and editing posts and asking for 1:1s about its posts, for their period (a mute's
    earlier posts stay up; a suspension also takes away reporting and the standing of
    a regular); a ban ends the membership and stops joining again, until overturned.
    Reading the community's pages stays as for anyone else."""
    from fireside.moderation.models import ModAction

    action = restriction_of(member, community)
    if action is None:
        return
    if action.kind == ModAction.Kind.BAN:
        raise NotAllowed(
            f"You are banned from {community.name} (rule {action.rule_number}), so "
            f"you cannot {doing} there. You can appeal the ban under Settings → "
            "Moderation notices.",
            code="banned",
        )
    verb = "suspended from" if action.kind == ModAction.Kind.SUSPEND else "muted in"
    raise NotAllowed(
        f"You are {verb} {community.name} until {_until(action)}, so you cannot "
        f"{doing} there until then.",
        code="suspended" if action.kind == ModAction.Kind.SUSPEND else "muted",
    )


def is_banned_from(member: Any, community: Community) -> bool:
    from fireside.moderation.models import ModAction

    return ModAction.objects.restricting(
        member, community, kinds=[ModAction.Kind.BAN]
    ).exists()


def can_read_log(viewer: Any, community: Community) -> bool:
    """The public log: every active member of COMMUNITY reads it, and anyone, signed in
    or not, when the community is listed and open."""
    if community.is_listed and community.visibility == Community.Visibility.OPEN:
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    return (
        Membership.objects.active().filter(member=viewer, community=community).exists()
    )


def check_read_log(viewer: Any, community: Community) -> None:
    if not can_read_log(viewer, community):
        raise NotAllowed(
            f"The moderation log of {community.name} is for its members.",
            code="members_only",
        )


def check_confirm_action(member: Any, action: Any) -> None:
    """Raise unless MEMBER may confirm ACTION: another reviewer of its case than the
    one who proposed it (NotFound for someone who does not review it)."""
    if not can_review_cases_of(member, action.community):
        raise NotFound()
    if action.proposed_by_id == member.pk:
        raise NotAllowed(
            "You proposed this action, so another member of the cohort has to confirm "
            "it. That is the two-person rule.",
            code="own_action",
        )
    if action.subject_id == member.pk:
        raise NotAllowed(
            "This action is about you, so you cannot confirm it.", code="own_case"
        )


def check_overturn_action(member: Any, action: Any) -> None:
    """Raise unless MEMBER may overturn ACTION: a reviewer of its community's cases (its
    cohort; the administrators for theirs), or an instance administrator."""
    if member is not None and member.is_authenticated and member.is_staff:
        return
    if not can_review_cases_of(member, action.community):
        raise NotAllowed(
            "Only the community's cohort or an administrator can overturn an action.",
            code="not_cohort",
        )

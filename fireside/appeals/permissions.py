"""Who may appeal an action and who decides an appeal. `check_*` raise with a reason;
`can_*` answer for pages."""

from typing import Any

from fireside.appeals.models import Appeal
from fireside.core.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from fireside.moderation.actions import is_appealable
from fireside.moderation.permissions import is_cohort_member

#: The longest reason an appeal or a decision may give, in characters.
REASON_MAX_LENGTH = 1000


def check_reason(reason: str, *, field: str = "reason", missing: str) -> str:
    """Return REASON trimmed, or raise ValidationFailed on FIELD saying MISSING."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({field: [missing]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {
                field: [
                    f"Keep it to {REASON_MAX_LENGTH:,} characters "
                    f"(this has {len(reason):,})."
                ]
            }
        )
    if "\x00" in reason:  # PostgreSQL refuses NUL in text
        raise ValidationFailed({field: ["This cannot contain the NUL character."]})
    return reason


def check_appeal_action(member: Any, action: Any) -> None:
    """Raise unless MEMBER may appeal ACTION: only the member it affects may (NotFound
    for anyone else, who is not told it exists), once (`already_appealed`), and only an
    action that can still be appealed (`not_appealable`)."""
    if (
        member is None
        or not member.is_authenticated
        or action.subject_id is None
        or action.subject_id != member.pk
    ):
        raise NotFound()
    if Appeal.objects.filter(action=action).exists():
        raise DomainError(
            "You already appealed this action; each action is appealed once.",
            code="already_appealed",
        )
    if not is_appealable(action):
        raise DomainError(
            "This action cannot be appealed any more (it lapsed or was lifted).",
            code="not_appealable",
        )


def can_appeal_action(member: Any, action: Any) -> bool:
    try:
        check_appeal_action(member, action)
    except DomainError:
        return False
    return True


def _acted_on(member: Any, appeal: Appeal) -> bool:
    action = appeal.action
    return member.pk in (
        action.proposed_by_id,
        action.confirmed_by_id,
        action.subject_id,
    )


def check_decide_appeal(member: Any, appeal: Appeal) -> None:
    """Raise unless MEMBER decides APPEAL: its assignee while still in the action's
    cohort, or, for an appeal assigned to the instance's administrators, any staff
    member who did not act on it and is not its appellant. Others who may read the
    appeal (its cohort) hear NotAllowed; everyone else NotFound."""
    if not Appeal.objects.visible_to(member).filter(pk=appeal.pk).exists():
        raise NotFound()
    if appeal.assignee_id is None:
        if not member.is_staff:
            raise NotAllowed(
                "The instance's administrators decide this appeal.",
                code="not_assignee",
            )
        if _acted_on(member, appeal):
            raise NotAllowed(
                "You acted on this action (or it is about you), so another "
                "administrator decides the appeal.",
                code="acted_on_action",
            )
        return
    community = appeal.action.community
    if (
        appeal.assignee_id != member.pk
        or community is None
        or not is_cohort_member(member, community)
    ):
        raise NotAllowed(
            "Only the cohort member this appeal is assigned to decides it.",
            code="not_assignee",
        )


def can_decide_appeal(member: Any, appeal: Appeal) -> bool:
    try:
        check_decide_appeal(member, appeal)
    except DomainError:
        return False
    return True

"""Every change to appeals: the affected member appeals an action (appeal_action), the
assignee decides it (decide_appeal). Pages and the API call these."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from fireside.appeals import permissions
from fireside.appeals.models import Appeal
from fireside.communities.models import Membership
from fireside.core.exceptions import DomainError, ValidationFailed
from fireside.moderation.actions import notify, overturn_action
from fireside.moderation.models import ModAction, Notice


def choose_assignee(action: Any) -> Any:
    """Return the cohort member who should decide an appeal of ACTION, or None for the
    instance's administrators.

    Candidates: the active cohort of ACTION's community, minus whoever proposed or
    confirmed the action and the member it is about. The one with the fewest open
    appeals to decide goes first; ties go to the longest-serving (earliest joined).
    An administrators' action (no community), or a cohort with no candidate left, goes
    to the administrators."""
    if action.community_id is None:
        return None
    excluded = {action.proposed_by_id, action.confirmed_by_id, action.subject_id}
    candidate = (
        Membership.objects.cohort()
        .filter(community_id=action.community_id, member__is_active=True)
        .exclude(member_id__in=[pk for pk in excluded if pk is not None])
        .annotate(
            open_appeals=Count(
                "member__appeals_assigned",
                filter=Q(member__appeals_assigned__state=Appeal.State.OPEN),
            )
        )
        .order_by("open_appeals", F("joined_at").asc(nulls_last=True), "pk")
        .select_related("member")
        .first()
    )
    return candidate.member if candidate is not None else None


def appeal_action(action: Any, *, by: Any, reason: str) -> Appeal:
    """Appeal ACTION for BY, the member it affects, with REASON; return the appeal,
    assigned (choose_assignee) to a cohort member who did not act, or to the instance's
    administrators.

    Raises NotFound for anyone but the affected member, DomainError `already_appealed`
    (each action is appealed once) or `not_appealable`, ValidationFailed on `reason`."""
    permissions.check_appeal_action(by, action)
    reason = permissions.check_reason(
        reason, missing="Say why the action should be reviewed."
    )
    try:
        with transaction.atomic():
            return Appeal.objects.create(
                action=action,
                appellant=by,
                reason=reason,
                assignee=choose_assignee(action),
            )
    except IntegrityError:  # the same appeal, sent twice at once
        raise DomainError(
            "You already appealed this action; each action is appealed once.",
            code="already_appealed",
        ) from None


def decide_appeal(appeal: Appeal, *, by: Any, outcome: str, reason: str) -> Appeal:
    """Decide APPEAL for BY: OUTCOME "stands" keeps the action, "overturned" lifts it
    (moderation.actions.overturn_action undoes its effects and the public log shows it
    overturned). REASON is told to the appellant with the outcome.

    Raises NotFound/NotAllowed (permissions.check_decide_appeal), ValidationFailed on
    `outcome` or `reason`, or DomainError `already_decided`."""
    permissions.check_decide_appeal(by, appeal)
    if outcome not in Appeal.OUTCOMES:
        raise ValidationFailed(
            {"outcome": ["Choose whether the action stands or is overturned."]}
        )
    reason = permissions.check_reason(
        reason, missing="Say why, for the member who appealed."
    )
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update()
            .select_related("action")
            .get(pk=appeal.pk)
        )
        if not appeal.is_open:
            raise DomainError(
                f"This appeal was already decided: {appeal.state_in_words}.",
                code="already_decided",
            )
        appeal.state = outcome
        appeal.decided_by = by
        appeal.decision_reason = reason
        appeal.decided_at = timezone.now()
        appeal.save(
            update_fields=["state", "decided_by", "decision_reason", "decided_at"]
        )
        action = appeal.action
        if outcome == Appeal.State.STANDS:
            # Overturning tells the member through overturn_action; so must this.
            notify(appeal.appellant, Notice.Kind.APPEAL_STANDS, action=action)
        # An action the cohort already lifted meanwhile has nothing left to undo.
        if (
            outcome == Appeal.State.OVERTURNED
            and action.state == ModAction.State.IN_FORCE
        ):
            overturn_action(
                action,
                by=by,
                reason=f"Overturned on appeal: {reason}"[
                    : permissions.REASON_MAX_LENGTH
                ],
            )
    return appeal

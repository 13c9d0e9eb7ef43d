"""Appeals in the JSON API. The affected member appeals an action once; a cohort reads
its community's appeals with their assignees; the assignee decides."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from fireside.accounts.authentication import member_auth, request_member
from fireside.appeals import actions
from fireside.appeals.models import Appeal
from fireside.communities.models import Community
from fireside.core.exceptions import NotFound
from fireside.moderation.models import ModAction
from fireside.moderation.permissions import is_cohort_member

router = Router(tags=["appeals"], auth=member_auth)

#: The largest id a database row can have; larger numbers are simply not found.
ID_MAX = 2**63 - 1
StateName = Literal["open", "stands", "overturned"]
RELATED = ("action", "action__community", "appellant", "assignee", "decided_by")


# Fields are checked by the actions, after who asks: anyone but the affected member (or
# the assignee) hears 404 whatever the body.
class AppealIn(Schema):
    reason: str = ""


class DecideIn(Schema):
    outcome: Literal["stands", "overturned"] | None = None
    reason: str = ""


class AppealCreatedOut(Schema):
    id: int
    state: StateName
    assigned_to: Literal["cohort", "administrators"] = Field(
        description="who decides: a cohort member who took no part in the action, "
        "or the instance's administrators"
    )


class AppealOut(Schema):
    """An appeal as its appellant sees it: who decides is said, not named."""

    id: int
    action: int
    kind: str
    community: str | None
    rule: int | None
    action_reason: str
    action_state: str
    reason: str
    state: StateName
    state_text: str
    assigned_to: Literal["cohort", "administrators"]
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None


class ReviewedAppealOut(AppealOut):
    """An appeal as its cohort (or the administrators) see it."""

    appellant: str
    assignee: str | None = Field(description="null: the instance's administrators")
    decided_by: str | None


def _assigned_to(appeal: Appeal) -> str:
    return "administrators" if appeal.assignee_id is None else "cohort"


def _appeal_out(appeal: Appeal) -> dict[str, Any]:
    action = appeal.action
    return {
        "id": appeal.pk,
        "action": action.pk,
        "kind": action.kind,
        "community": action.community.slug if action.community else None,
        "rule": action.rule_number,
        "action_reason": action.reason,
        "action_state": action.state,
        "reason": appeal.reason,
        "state": appeal.state,
        "state_text": appeal.state_in_words,
        "assigned_to": _assigned_to(appeal),
        "decision_reason": appeal.decision_reason,
        "created_at": appeal.created_at,
        "decided_at": appeal.decided_at,
    }


def _reviewed_out(appeal: Appeal) -> dict[str, Any]:
    return {
        **_appeal_out(appeal),
        "appellant": appeal.appellant.handle,
        "assignee": appeal.assignee.handle if appeal.assignee else None,
        "decided_by": appeal.decided_by.handle if appeal.decided_by else None,
    }


@router.post("actions/{action_id}/appeal", response={201: AppealCreatedOut})
def appeal_action(
    request: HttpRequest, action_id: int, payload: AppealIn
) -> Status[dict[str, Any]]:
    """Appeal an action that affects you, once: 201 `{id, state, assigned_to}`. 404 for
    anyone else; 400 `already_appealed` the second time, `not_appealable` for an action
    that lapsed or was lifted."""
    member = request_member(request)
    if not 1 <= action_id <= ID_MAX:
        raise NotFound()
    action = ModAction.objects.filter(pk=action_id, subject=member).first()
    if action is None:
        raise NotFound()
    appeal = actions.appeal_action(action, by=member, reason=payload.reason)
    return Status(
        201,
        {"id": appeal.pk, "state": appeal.state, "assigned_to": _assigned_to(appeal)},
    )


@router.get("me/appeals", response=list[AppealOut])
def list_your_appeals(request: HttpRequest) -> list[dict[str, Any]]:
    """Your appeals, newest first, each with its outcome and the decision's reason."""
    appeals = (
        Appeal.objects.by(request_member(request))
        .select_related(*RELATED)
        .order_by("-created_at", "-id")[:200]
    )
    return [_appeal_out(appeal) for appeal in appeals]


@router.get("communities/{slug}/appeals", response=list[ReviewedAppealOut])
def list_community_appeals(
    request: HttpRequest, slug: str, state: StateName | None = None
) -> list[dict[str, Any]]:
    """The community's appeals with their assignees, open ones first; its cohort only
    (404 for everyone else)."""
    member = request_member(request)
    community = Community.objects.visible_to(member).filter(slug=slug[:50]).first()
    if community is None or not is_cohort_member(member, community):
        raise NotFound()
    appeals = Appeal.objects.visible_to(member).filter(action__community=community)
    if state:
        appeals = appeals.filter(state=state)
    appeals = appeals.select_related(*RELATED).order_by("-state", "created_at", "id")
    return [_reviewed_out(appeal) for appeal in appeals[:200]]


@router.post("appeals/{appeal_id}/decide", response=ReviewedAppealOut)
def decide_appeal(
    request: HttpRequest, appeal_id: int, payload: DecideIn
) -> dict[str, Any]:
    """Decide an appeal assigned to you: `stands` keeps the action, `overturned` lifts
    it. 403 for the rest of the cohort, 404 for everyone else; 400 `already_decided`."""
    member = request_member(request)
    if not 1 <= appeal_id <= ID_MAX:
        raise NotFound()
    appeal = (
        Appeal.objects.visible_to(member)
        .select_related(*RELATED)
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound()
    appeal = actions.decide_appeal(
        appeal, by=member, outcome=payload.outcome or "", reason=payload.reason
    )
    appeal = Appeal.objects.select_related(*RELATED).get(pk=appeal.pk)
    return _reviewed_out(appeal)

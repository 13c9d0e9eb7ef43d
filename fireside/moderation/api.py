"""Reports, cases and actions in the JSON API. Anyone may report what they can see; a
community's cohort works its queue (the instance's administrators the cases without a
community): claims, notes, second opinions, actions under the two-person rule. Members
read the actions about them; the public log is for a community's members (anyone's, for
a listed open community). Everything cohort-only answers 404 to everyone else."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from fireside.accounts.authentication import (
    member_auth,
    optional_member_auth,
    request_member,
    request_viewer,
)
from fireside.communities.models import Community
from fireside.core.exceptions import NotFound
from fireside.moderation import actions, permissions, queries, targets
from fireside.moderation.models import Case, ModAction, Report

router = Router(tags=["moderation"], auth=member_auth)

TargetType = Literal["post", "member", "message"]
StateName = Literal["open", "claimed", "resolved"]
QueueView = Literal["open", "claimed", "resolved", "mine", "second_opinion"]
KindName = Literal[
    "dismiss", "hide", "warn", "mute", "suspend", "ban", "grant_leader", "revoke_leader"
]
ActionState = Literal["pending", "in_force", "lapsed", "overturned"]
#: The largest id a database row can have; larger numbers are simply not found.
ID_MAX = 2**63 - 1


class TargetIn(Schema):
    type: TargetType
    #: A number; a member may also be named by handle.
    id: int | str


class ReportIn(Schema):
    target: TargetIn
    community: str | None = None
    rule: int | None = None
    reason: str


class ReportCreatedOut(Schema):
    id: int
    case: int


class TargetOut(Schema):
    type: TargetType
    id: int
    label: str


class YourReportOut(Schema):
    """One of your reports and how far its case has come, in words."""

    id: int
    case: int
    state: StateName
    state_text: str
    target: TargetOut
    community: str | None
    rule: int | None
    reason: str
    created_at: datetime


class CaseReportOut(Schema):
    id: int
    reporter: str | None = Field(description="null for a report the system opened")
    rule: int | None
    rule_text: str
    reason: str
    snapshot: dict[str, Any]
    created_at: datetime


class CaseOut(Schema):
    id: int
    community: str | None
    target: TargetOut
    subject: str | None
    state: StateName
    state_text: str
    opened_at: datetime
    claimed_by: str | None = Field(description="handle of whoever works on it")
    assigned_to: str | None = Field(description="round-robin assignee's handle")
    assigned_to_you: bool
    needs_second_opinion: bool


class NoteOut(Schema):
    id: int
    author: str | None
    kind: str
    body: str
    created_at: datetime


class CaseActionOut(Schema):
    id: int
    kind: KindName
    rule: int | None
    rule_text: str
    reason: str
    days: int | None
    state: ActionState
    proposed_by: str | None
    confirmed_by: str | None
    proposed_at: datetime
    in_force_at: datetime | None
    ends_at: datetime | None
    lapses_at: datetime | None = Field(description="for a pending action")


class CaseDetailOut(CaseOut):
    reports: list[CaseReportOut]
    notes: list[NoteOut]
    actions: list[CaseActionOut]


class ClaimIn(Schema):
    take_over: bool = Field(
        False, description="take over a case another cohort member claimed"
    )


class NoteIn(Schema):
    body: str


class OptionalNoteIn(Schema):
    body: str = ""


class CommentIn(Schema):
    comment: str = ""


class ActionIn(Schema):
    kind: KindName
    rule: int | None = None
    reason: str
    days: int | None = None


class ActionCreatedOut(Schema):
    id: int
    state: ActionState


class YourActionOut(Schema):
    """An action about you: what, where, under which rule and why."""

    id: int
    kind: KindName
    community: str | None
    rule: int | None
    rule_text: str
    reason: str
    days: int | None
    state: ActionState
    in_force_at: datetime | None
    ends_at: datetime | None
    appealable: bool


class LogAppealOut(Schema):
    outcome: Literal["stands", "overturned"]
    reason: str
    decided_at: datetime


#: Log lines that are not actions on a member: the cohort blocking a server of the
#: fediverse from the community, and lifting that block.
LogOnlyKind = Literal["instance_block", "instance_unblock"]


class LogEntryOut(Schema):
    id: int
    date: datetime
    action: KindName | LogOnlyKind
    action_text: str
    concerns: str = Field(
        description='"a member" for actions on a member (never who), or the server\'s '
        "domain for a block of a server"
    )
    rule: int | None
    rule_text: str
    reason: str
    days: int | None
    state: Literal["in_force", "overturned"]
    attributed_to: str = Field(
        description='"the cohort", or handles when the community shows them'
    )
    appeal: LogAppealOut | None = Field(
        None, description="the outcome of the affected member's appeal, once decided"
    )


def _target_out(case: Case) -> TargetOut:
    return TargetOut(type=case.target_type, id=case.target_id, label=case.target_label)  # type: ignore[arg-type]


def _case_out(case: Case, viewer: Any) -> dict[str, Any]:
    return {
        "claimed_by": case.claimed_by.handle if case.claimed_by else None,
        "assigned_to": case.assigned_to.handle if case.assigned_to else None,
        "assigned_to_you": case.assigned_to_id == viewer.pk,
        "needs_second_opinion": case.second_opinion_asked_at is not None,
        "id": case.pk,
        "community": case.community.slug if case.community else None,
        "target": _target_out(case),
        "subject": case.subject.handle if case.subject else None,
        "state": case.state,
        "state_text": case.state_in_words,
        "opened_at": case.opened_at,
    }


def _find_target(member: Any, target: TargetIn) -> Any:
    if target.type == "member" and isinstance(target.id, str):
        from fireside.accounts.models import Member

        handle = target.id.strip().lstrip("@").lower()[:40]
        found = Member.objects.visible_to(member).filter(handle=handle).first()
        if found is None:
            raise targets.TargetNotFound("target", "There is no such member.")
        return found
    try:
        number = int(target.id)
    except ValueError:
        raise targets.TargetNotFound("target", "Give the target's number.") from None
    if not 1 <= number <= ID_MAX:
        raise targets.TargetNotFound("target", "There is nothing with that number.")
    return targets.find_target(member, target.type, number)


@router.post("reports", response={200: ReportCreatedOut, 201: ReportCreatedOut})
def file_report(request: HttpRequest, payload: ReportIn) -> Status[ReportCreatedOut]:
    """Report a post, a member or a message, citing the community's rule and a reason:
    201 `{id, case}`, or 200 with the same report when you already reported it."""
    member = request_member(request)
    target = _find_target(member, payload.target)
    community = (
        targets.find_community(member, payload.community) if payload.community else None
    )
    started = timezone.now()
    report = actions.file_report(
        target,
        by=member,
        community=community,
        rule_number=payload.rule,
        reason=payload.reason,
    )
    status = 201 if report.created_at >= started else 200
    return Status(status, ReportCreatedOut(id=report.pk, case=report.case_id))


@router.get("reports", response=list[YourReportOut])
def list_your_reports(request: HttpRequest) -> list[dict[str, Any]]:
    """Your reports, newest first, each with its case's state in words. Who else
    reported the same thing is not shown."""
    reports = (
        Report.objects.by(request_member(request))
        .select_related("case", "case__community")
        .order_by("-created_at", "-id")[:200]
    )
    return [
        {
            "id": report.pk,
            "case": report.case_id,
            "state": report.case.state,
            "state_text": report.case.state_in_words,
            "target": _target_out(report.case),
            "community": report.case.community.slug if report.case.community else None,
            "rule": report.rule_number,
            "reason": report.reason,
            "created_at": report.created_at,
        }
        for report in reports
    ]


def _find_case(member: Any, case_id: int) -> Case:
    if not 1 <= case_id <= ID_MAX:
        raise NotFound()
    case = (
        Case.objects.visible_to(member)
        .select_related("community", "subject", "post", "claimed_by", "assigned_to")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def _action_out(action: ModAction) -> dict[str, Any]:
    state = action.current_state
    return {
        "id": action.pk,
        "kind": action.kind,
        "rule": action.rule_number,
        "rule_text": action.rule_text,
        "reason": action.reason,
        "days": action.days,
        "state": state,
        "proposed_by": action.proposed_by.handle if action.proposed_by else None,
        "confirmed_by": action.confirmed_by.handle if action.confirmed_by else None,
        "proposed_at": action.proposed_at,
        "in_force_at": action.in_force_at,
        "ends_at": action.ends_at,
        "lapses_at": action.lapses_at if state == ModAction.State.PENDING else None,
    }


def _case_detail(case: Case, member: Any) -> dict[str, Any]:
    reports = case.reports.select_related("reporter").order_by("created_at", "id")
    notes = case.notes.select_related("author")
    return {
        **_case_out(case, member),
        "reports": [
            {
                "id": report.pk,
                "reporter": report.reporter.handle if report.reporter else None,
                "rule": report.rule_number,
                "rule_text": report.rule_text,
                "reason": report.reason,
                "snapshot": report.snapshot,
                "created_at": report.created_at,
            }
            for report in reports
        ],
        "notes": [
            {
                "id": note.pk,
                "author": note.author.handle if note.author else None,
                "kind": note.kind,
                "body": note.body,
                "created_at": note.created_at,
            }
            for note in notes
        ],
        "actions": [_action_out(action) for action in queries.case_actions(case)],
    }


@router.get("communities/{slug}/cases", response=list[CaseOut])
def list_cases(
    request: HttpRequest, slug: str, state: QueueView | None = None
) -> list[dict[str, Any]]:
    """The cohort's queue; cohort members only (404 otherwise). Without `state`, the
    unresolved cases (open and claimed), oldest first. `state` is `open`, `claimed`,
    `resolved` (newest first), `mine` (claimed by or assigned to you) or
    `second_opinion` (a second opinion was asked for)."""
    member = request_member(request)
    community = Community.objects.visible_to(member).filter(slug=slug[:50]).first()
    if community is None or not permissions.can_review_cases_of(member, community):
        raise NotFound()
    cases = queries.queue(member, community, state or "")
    return [_case_out(case, member) for case in cases[:200]]


@router.get("cases/{case_id}", response=CaseDetailOut)
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """One case with its reports (and what each shares of its target), internal notes
    and actions (pending ones with `lapses_at`); 404 unless you review it."""
    member = request_member(request)
    return _case_detail(_find_case(member, case_id), member)


@router.post("cases/{case_id}/claim", response=CaseDetailOut)
def claim_case(
    request: HttpRequest, case_id: int, payload: ClaimIn | None = None
) -> dict[str, Any]:
    """Claim a case so the cohort sees you work on it. A case someone else claimed
    needs `take_over: true` (403 `claimed_by_other` without), which leaves a note."""
    member = request_member(request)
    case = actions.claim_case(
        _find_case(member, case_id),
        by=member,
        take_over=bool(payload and payload.take_over),
    )
    return _case_detail(case, member)


@router.post("cases/{case_id}/unclaim", response=CaseDetailOut)
def unclaim_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """Give your claimed case back to the queue."""
    member = request_member(request)
    case = actions.unclaim_case(_find_case(member, case_id), by=member)
    return _case_detail(case, member)


@router.post("cases/{case_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Status[NoteOut]:
    """Add an internal note (the cohort reads it, nobody else)."""
    member = request_member(request)
    note = actions.add_case_note(
        _find_case(member, case_id), by=member, body=payload.body
    )
    return Status(
        201,
        NoteOut(
            id=note.pk,
            author=member.handle,
            kind=note.kind,
            body=note.body,
            created_at=note.created_at,
        ),
    )


@router.post("cases/{case_id}/second-opinion/ask", response=CaseDetailOut)
def ask_second_opinion(
    request: HttpRequest, case_id: int, payload: OptionalNoteIn | None = None
) -> dict[str, Any]:
    """Ask the cohort for a second opinion: the case shows under `second_opinion` and
    the other cohort members are told in the app."""
    member = request_member(request)
    case = actions.ask_second_opinion(
        _find_case(member, case_id), by=member, body=payload.body if payload else ""
    )
    return _case_detail(case, member)


@router.post("cases/{case_id}/second-opinion", response=CaseDetailOut)
def give_second_opinion(
    request: HttpRequest, case_id: int, payload: NoteIn
) -> dict[str, Any]:
    """Give the second opinion asked for (not by the member who asked)."""
    member = request_member(request)
    case = actions.give_second_opinion(
        _find_case(member, case_id), by=member, body=payload.body
    )
    return _case_detail(case, member)


@router.post("cases/{case_id}/resolve", response=CaseDetailOut)
def resolve_case(
    request: HttpRequest, case_id: int, payload: CommentIn | None = None
) -> dict[str, Any]:
    """Close a case, with an optional comment (400 `actions_pending` while an action
    waits for confirmation)."""
    member = request_member(request)
    case = actions.resolve_case(
        _find_case(member, case_id),
        by=member,
        comment=payload.comment if payload else "",
    )
    return _case_detail(case, member)


@router.post("cases/{case_id}/reopen", response=CaseDetailOut)
def reopen_case(
    request: HttpRequest, case_id: int, payload: CommentIn
) -> dict[str, Any]:
    """Reopen a resolved case; the `comment` (required) says why, for the cohort."""
    member = request_member(request)
    case = actions.reopen_case(
        _find_case(member, case_id), by=member, comment=payload.comment
    )
    return _case_detail(case, member)


@router.post("cases/{case_id}/actions", response={201: ActionCreatedOut})
def propose_action(
    request: HttpRequest, case_id: int, payload: ActionIn
) -> Status[ActionCreatedOut]:
    """Act on a case, citing a numbered `rule` of the community and a `reason` (both
    told to the member concerned); `days` (1–365) for a mute or suspension. A ban, a
    suspension over 7 days and hiding a post over 24 hours old start `pending` until
    another cohort member confirms (they lapse after 72 hours); the rest are
    `in_force` at once."""
    member = request_member(request)
    action = actions.propose_action(
        _find_case(member, case_id),
        by=member,
        kind=payload.kind,
        rule_number=payload.rule,
        reason=payload.reason,
        days=payload.days,
    )
    return Status(201, ActionCreatedOut(id=action.pk, state=action.current_state))  # type: ignore[arg-type]


@router.post("actions/{action_id}/confirm", response=CaseActionOut)
def confirm_action(request: HttpRequest, action_id: int) -> dict[str, Any]:
    """Confirm a pending action as the second cohort member: it takes effect. 403
    `own_action` for its proposer; 404 for anyone outside the cohort; 400
    `not_pending` once it is in force, lapsed or overturned."""
    member = request_member(request)
    if not 1 <= action_id <= ID_MAX:
        raise NotFound()
    action = ModAction.objects.filter(pk=action_id).select_related("community").first()
    if action is None or not permissions.can_review_cases_of(member, action.community):
        raise NotFound()
    action = actions.confirm_action(action, by=member)
    return _action_out(action)


@router.get("me/moderation", response=list[YourActionOut])
def my_moderation(request: HttpRequest) -> list[dict[str, Any]]:
    """Actions about you that took effect (pending proposals are not shown until
    confirmed), newest first, each with its rule, reason and whether you may appeal
    it (once per action)."""
    member = request_member(request)
    found = (
        ModAction.objects.against(member)
        .exclude(in_force_at__isnull=True)
        .select_related("community")
        .order_by("-in_force_at", "-id")[:200]
    )
    return [
        {
            "id": action.pk,
            "kind": action.kind,
            "community": action.community.slug if action.community else None,
            "rule": action.rule_number,
            "rule_text": action.rule_text,
            "reason": action.reason,
            "days": action.days,
            "state": action.current_state,
            "in_force_at": action.in_force_at,
            "ends_at": action.ends_at,
            "appealable": actions.is_appealable(action),
        }
        for action in found
    ]


@router.get(
    "communities/{slug}/log", response=list[LogEntryOut], auth=optional_member_auth
)
def moderation_log(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The community's public moderation log, newest first: date, action, rule, reason,
    attributed to "the cohort" (or handles, when the community shows them); never the
    content concerned nor who was affected. Members read it; anyone does for a listed
    open community (403 `members_only` otherwise)."""
    viewer = request_viewer(request)
    community = Community.objects.visible_to(viewer).filter(slug=slug[:50]).first()
    if community is None:
        raise NotFound()
    permissions.check_read_log(viewer, community)
    return [
        {
            "id": entry.id,
            "date": entry.date,
            "action": entry.kind,
            "action_text": entry.action,
            "rule": entry.rule_number,
            "rule_text": entry.rule_text,
            "reason": entry.reason,
            "days": entry.days,
            "state": entry.state,
            "attributed_to": entry.attributed_to,
            "concerns": entry.concerns,
            "appeal": (
                {
                    "outcome": entry.appeal_outcome,
                    "reason": entry.appeal_reason,
                    "decided_at": entry.appeal_decided_at,
                }
                if entry.appeal_outcome
                else None
            ),
        }
        for entry in queries.public_log(community)
    ]

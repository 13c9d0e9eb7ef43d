"""Reports and cases in the JSON API. Anyone may report what they can see; a community's
cohort reads its cases, the instance's administrators the cases without a community.
Claiming and actions on cases come with cohort moderation (issue 6)."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from fireside.accounts.authentication import member_auth, request_member
from fireside.communities.models import Community
from fireside.core.exceptions import NotFound
from fireside.moderation import actions, permissions, targets
from fireside.moderation.models import Case, Report

router = Router(tags=["moderation"], auth=member_auth)

TargetType = Literal["post", "member", "message"]
StateName = Literal["open", "claimed", "resolved"]
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


class CaseDetailOut(CaseOut):
    reports: list[CaseReportOut]


def _target_out(case: Case) -> TargetOut:
    return TargetOut(type=case.target_type, id=case.target_id, label=case.target_label)  # type: ignore[arg-type]


def _case_out(case: Case) -> dict[str, Any]:
    return {
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


@router.get("communities/{slug}/cases", response=list[CaseOut])
def list_cases(
    request: HttpRequest, slug: str, state: StateName | None = None
) -> list[dict[str, Any]]:
    """The cohort's queue, oldest waiting first; cohort members only (404 otherwise).
    `state` filters; without it, the unresolved cases (open and claimed)."""
    member = request_member(request)
    community = Community.objects.visible_to(member).filter(slug=slug[:50]).first()
    if community is None or not permissions.can_review_cases_of(member, community):
        raise NotFound()
    cases = Case.objects.visible_to(member).filter(community=community)
    cases = cases.filter(state=state) if state else cases.unresolved()
    cases = cases.select_related("community", "subject").order_by("opened_at", "id")
    return [_case_out(case) for case in cases[:200]]


@router.get("cases/{case_id}", response=CaseDetailOut)
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """One case with its reports (and what each shares of its target); 404 unless you
    review it."""
    member = request_member(request)
    if not 1 <= case_id <= ID_MAX:
        raise NotFound()
    case = (
        Case.objects.visible_to(member)
        .select_related("community", "subject")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound()
    reports = case.reports.select_related("reporter").order_by("created_at", "id")
    return {
        **_case_out(case),
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
    }

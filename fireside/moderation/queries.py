"""Reading moderation: a cohort's queue by filter, peer review, the workload of the last
30 days and the public log."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from fireside.communities.models import Community, Membership
from fireside.moderation.models import Case, ModAction

#: The queue's filters: value → label.
FILTERS = {
    "": "Waiting",
    "open": "Open",
    "mine": "Mine",
    "second_opinion": "Needs a second opinion",
    "resolved": "Resolved",
}
#: How far back peer review and the workload look.
RECENT = timedelta(days=30)


def queue(member: Any, community: Community | None, view: str = "") -> Any:
    """Return the cases of COMMUNITY (None: the administrators') MEMBER reviews, by VIEW:
    "" (unresolved), "open", "claimed", "mine" (claimed by or assigned to MEMBER,
    unresolved), "second_opinion" (asked for and not yet given), "resolved"."""
    cases = Case.objects.visible_to(member).filter(community=community)
    if view in ("open", "claimed"):
        cases = cases.filter(state=view)
    elif view == "resolved":
        return (
            cases.filter(state=Case.State.RESOLVED)
            .select_related("subject", "claimed_by", "assigned_to")
            .order_by("-resolved_at", "-id")
        )
    elif view == "mine":
        cases = cases.unresolved().filter(Q(claimed_by=member) | Q(assigned_to=member))
    elif view == "second_opinion":
        cases = cases.unresolved().filter(second_opinion_asked_at__isnull=False)
    else:
        cases = cases.unresolved()
    return cases.select_related("subject", "claimed_by", "assigned_to").order_by(
        "opened_at", "id"
    )


def case_actions(case: Case) -> list[ModAction]:
    return list(
        case.actions.select_related("proposed_by", "confirmed_by", "subject").order_by(
            "proposed_at", "id"
        )
    )


def pending_actions(community: Community) -> Any:
    """Actions of COMMUNITY waiting for a second cohort member, oldest first."""
    return (
        ModAction.objects.pending()
        .filter(community=community)
        .select_related("case", "proposed_by", "subject")
        .order_by("proposed_at", "id")
    )


def recent_decisions(community: Community, *, viewer: Any) -> Any:
    """Cases of COMMUNITY resolved in the last 30 days by someone other than VIEWER (as
    far as the record tells: no action of theirs, not claimed by them), newest first:
    what peer review shows."""
    since = timezone.now() - RECENT
    theirs = ModAction.objects.filter(
        Q(proposed_by=viewer) | Q(confirmed_by=viewer), case_id__isnull=False
    ).values("case_id")
    return (
        Case.objects.filter(
            community=community,
            state=Case.State.RESOLVED,
            resolved_at__gte=since,
        )
        .exclude(claimed_by=viewer)
        .exclude(pk__in=theirs)
        .select_related("subject", "claimed_by")
        .prefetch_related("actions", "actions__proposed_by", "actions__confirmed_by")
        .order_by("-resolved_at", "-id")[:100]
    )


@dataclass(frozen=True)
class Workload:
    member: Any
    role: str
    claimed: int
    resolved: int
    proposed: int
    confirmed: int
    assigned_open: int

    @property
    def total(self) -> int:
        return self.claimed + self.proposed + self.confirmed


def workload(community: Community) -> list[Workload]:
    """Per cohort member of COMMUNITY over the last 30 days: cases claimed, cases they
    held when resolved, actions proposed and confirmed, and open cases assigned now.
    For the cohort only, never public."""
    since = timezone.now() - RECENT
    cohort = list(
        Membership.objects.cohort()
        .filter(community=community)
        .select_related("member")
        .order_by("member__handle")
    )
    cases = Case.objects.filter(community=community)

    def counts(queryset: Any, field: str) -> dict[int, int]:
        return {
            row[field]: row["count"]
            for row in queryset.values(field).annotate(count=Count("id"))
        }

    claimed = counts(cases.filter(claimed_at__gte=since), "claimed_by")
    resolved = counts(
        cases.filter(state=Case.State.RESOLVED, resolved_at__gte=since), "claimed_by"
    )
    assigned = counts(cases.unresolved(), "assigned_to")
    actions = ModAction.objects.filter(community=community)
    proposed = counts(actions.filter(proposed_at__gte=since), "proposed_by")
    confirmed = counts(
        actions.filter(confirmed_by__isnull=False, in_force_at__gte=since),
        "confirmed_by",
    )
    return [
        Workload(
            member=membership.member,
            role=membership.get_role_display(),
            claimed=claimed.get(membership.member_id, 0),
            resolved=resolved.get(membership.member_id, 0),
            proposed=proposed.get(membership.member_id, 0),
            confirmed=confirmed.get(membership.member_id, 0),
            assigned_open=assigned.get(membership.member_id, 0),
        )
        for membership in cohort
    ]


@dataclass(frozen=True)
class LogEntry:
    """One line of the public log: never a post's words, a message or (by default) who
    was affected or who acted."""

    id: int
    date: Any
    kind: str
    action: str
    rule_number: int | None
    rule_text: str
    reason: str
    days: int | None
    state: str
    attributed_to: str
    proposed_by: str | None
    confirmed_by: str | None
    overturned_at: Any
    #: The outcome of an appeal, once decided: "stands" or "overturned" (its reason is the
    #: deciding peer's, signed by the cohort like the action).
    appeal_outcome: str | None = None
    appeal_reason: str = ""
    appeal_decided_at: Any = None
    #: Whom or what the line is about: "a member" (never who), or a server's domain.
    concerns: str = "a member"


def public_log(community: Community, *, limit: int = 100) -> list[LogEntry]:
    """COMMUNITY's moderation log, newest first: actions that took effect (and those
    later overturned, marked so). Attributed to "the cohort" unless the community
    shows handles, then to the proposer and confirmer. The affected member is "a
    member" in every case: a log every visitor reads must not become a pillory."""
    shows_handles = bool(getattr(community, "log_shows_handles", False))

    def signed(*handles: str | None) -> str:
        names = [f"@{handle}" for handle in handles if handle]
        return " and ".join(names) if shows_handles and names else "the cohort"

    actions = (
        ModAction.objects.logged()
        .filter(community=community)
        .select_related("proposed_by", "confirmed_by", "appeal")
        .order_by("-in_force_at", "-id")[:limit]
    )
    entries = []
    for action in actions:
        proposer = action.proposed_by.handle if action.proposed_by else None
        confirmer = action.confirmed_by.handle if action.confirmed_by else None
        attributed = signed(proposer, confirmer)
        entries.append(
            LogEntry(
                id=action.pk,
                date=action.in_force_at,
                kind=action.kind,
                action=action.get_kind_display(),
                rule_number=action.rule_number,
                rule_text=action.rule_text,
                reason=action.reason,
                days=action.days,
                state=action.state,
                attributed_to=attributed,
                proposed_by=proposer if shows_handles else None,
                confirmed_by=confirmer if shows_handles else None,
                overturned_at=action.overturned_at,
                **_appeal_outcome(action),
            )
        )
    entries += _instance_blocks(community, signed, limit=limit)
    entries.sort(key=lambda entry: (entry.date, entry.id), reverse=True)
    return entries[:limit]


def _instance_blocks(
    community: Community, signed: Any, *, limit: int
) -> list[LogEntry]:
    """The cohort's blocks of servers of the fediverse, and their lifting, as log
    lines. A server is named: it is no person, and the administrators' own list of
    blocked servers is public too."""
    from fireside.federation.models import CommunityInstanceBlock

    blocks = (
        CommunityInstanceBlock.objects.filter(community=community)
        .select_related("created_by", "lifted_by")
        .order_by("-created_at", "-id")[:limit]
    )
    entries = []
    for block in blocks:
        entries.append(
            _server_line(
                block,
                block.created_at,
                "instance_block",
                "blocked a server of the fediverse",
                block.reason,
                signed(getattr(block.created_by, "handle", None)),
            )
        )
        if block.lifted_at is not None:
            entries.append(
                _server_line(
                    block,
                    block.lifted_at,
                    "instance_unblock",
                    "lifted the block of a server of the fediverse",
                    "",
                    signed(getattr(block.lifted_by, "handle", None)),
                )
            )
    return entries


def _server_line(
    block: Any, date: Any, kind: str, action: str, reason: str, attributed: str
) -> LogEntry:
    return LogEntry(
        id=block.pk,
        date=date,
        kind=kind,
        action=action,
        rule_number=None,
        rule_text="",
        reason=reason,
        days=None,
        state=ModAction.State.IN_FORCE,
        attributed_to=attributed,
        proposed_by=None,
        confirmed_by=None,
        overturned_at=None,
        concerns=block.domain,
    )


def _appeal_outcome(action: ModAction) -> dict[str, Any]:
    appeal = getattr(action, "appeal", None)  # a missing one-to-one raises: None
    if appeal is None or appeal.decided_at is None:
        return {}
    return {
        "appeal_outcome": appeal.state,
        "appeal_reason": appeal.decision_reason,
        "appeal_decided_at": appeal.decided_at,
    }

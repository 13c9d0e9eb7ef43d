"""The life of a case in a cohort's queue: open → claimed → resolved, and reopened with a
comment. Claims are visible to the whole cohort; taking over someone else's claim is an
explicit step that leaves a note. Every function checks that BY reviews the case."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from fireside.communities.models import Membership
from fireside.core.exceptions import DomainError, NotAllowed, ValidationFailed
from fireside.moderation import permissions
from fireside.moderation.models import Case, CaseNote, Notice

#: The longest internal note, in characters.
NOTE_MAX_LENGTH = 2000


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=case.pk)
    )


def _unresolved(case: Case) -> None:
    if case.state == Case.State.RESOLVED:
        raise DomainError(
            "This case is resolved. Reopen it, with a comment, to work on it again.",
            code="case_resolved",
        )


def _note_text(body: str, *, field: str = "body", required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise ValidationFailed({field: ["Write a few words for the cohort."]})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            {
                field: [
                    f"Keep it to {NOTE_MAX_LENGTH:,} characters (this has "
                    f"{len(body):,})."
                ]
            }
        )
    if "\x00" in body:  # PostgreSQL refuses NUL in text
        raise ValidationFailed({field: ["Remove the NUL character."]})
    return body


def _note(case: Case, by: Any, kind: str, body: str) -> CaseNote:
    return CaseNote.objects.create(case=case, author=by, kind=kind, body=body)


def claim_case(case: Case, *, by: Any, take_over: bool = False) -> Case:
    """Claim CASE for BY, so the cohort sees who works on it. A case another cohort
    member claimed needs TAKE_OVER, which leaves a note naming them; without it,
    raises NotAllowed `claimed_by_other`. Claiming one's own claim again changes
    nothing."""
    permissions.check_review_case(by, case)
    with transaction.atomic():
        case = _locked(case)
        _unresolved(case)
        if case.claimed_by_id == by.pk:
            return case
        if case.claimed_by_id is not None:
            previous = case.claimed_by
            if not take_over:
                raise NotAllowed(
                    f"@{previous.handle if previous else 'someone'} is working on "
                    "this case. Take it over if you mean to; they will see a note.",
                    code="claimed_by_other",
                )
            _note(
                case,
                by,
                CaseNote.Kind.TAKEN_OVER,
                f"Took the case over from @{previous.handle if previous else '?'}.",
            )
        case.state = Case.State.CLAIMED
        case.claimed_by = by
        case.claimed_at = timezone.now()
        case.save(update_fields=["state", "claimed_by", "claimed_at"])
    return case


def unclaim_case(case: Case, *, by: Any) -> Case:
    """Give CASE back to the queue (open). Only whoever claimed it may."""
    permissions.check_review_case(by, case)
    with transaction.atomic():
        case = _locked(case)
        _unresolved(case)
        if case.claimed_by_id is None:
            return case
        if case.claimed_by_id != by.pk:
            raise NotAllowed(
                "Only the moderator who claimed this case can give it back.",
                code="not_claimer",
            )
        case.state = Case.State.OPEN
        case.claimed_by = None
        case.claimed_at = None
        case.save(update_fields=["state", "claimed_by", "claimed_at"])
    return case


def add_case_note(case: Case, *, by: Any, body: str) -> CaseNote:
    """Add an internal note to CASE: the cohort reads it, nobody else."""
    permissions.check_review_case(by, case)
    return _note(case, by, CaseNote.Kind.NOTE, _note_text(body))


def ask_second_opinion(case: Case, *, by: Any, body: str = "") -> Case:
    """Ask the cohort for a second opinion on CASE: it moves under "needs a second
    opinion" and the other cohort members get a notice."""
    from fireside.moderation.actions.notices import notify

    permissions.check_review_case(by, case)
    body = _note_text(body, required=False)
    with transaction.atomic():
        case = _locked(case)
        _unresolved(case)
        case.second_opinion_asked_by = by
        case.second_opinion_asked_at = timezone.now()
        case.save(update_fields=["second_opinion_asked_by", "second_opinion_asked_at"])
        _note(
            case,
            by,
            CaseNote.Kind.SECOND_OPINION_ASKED,
            body or "Asked for a second opinion.",
        )
        for reviewer in _reviewers(case).exclude(pk=by.pk):
            notify(reviewer, Notice.Kind.SECOND_OPINION, case=case)
    return case


def give_second_opinion(case: Case, *, by: Any, body: str) -> Case:
    """Give the second opinion CASE asks for, as a note; the request is then answered.
    The member who asked cannot answer themselves (NotAllowed `own_request`)."""
    permissions.check_review_case(by, case)
    body = _note_text(body)
    with transaction.atomic():
        case = _locked(case)
        if case.second_opinion_asked_at is None:
            raise DomainError(
                "Nobody asked for a second opinion on this case; add a note instead.",
                code="not_asked",
            )
        if case.second_opinion_asked_by_id == by.pk:
            raise NotAllowed(
                "You asked for this second opinion; another cohort member gives it.",
                code="own_request",
            )
        _note(case, by, CaseNote.Kind.SECOND_OPINION, body)
        case.second_opinion_asked_by = None
        case.second_opinion_asked_at = None
        case.save(update_fields=["second_opinion_asked_by", "second_opinion_asked_at"])
    return case


def resolve_case(case: Case, *, by: Any, comment: str = "") -> Case:
    """Close CASE (with an optional note). Refused while one of its actions waits for
    a second cohort member (`actions_pending`): confirm it or let it lapse first."""
    permissions.check_review_case(by, case)
    comment = _note_text(comment, field="comment", required=False)
    with transaction.atomic():
        case = _locked(case)
        _unresolved(case)
        if case.actions.pending().exists():
            raise DomainError(
                "An action on this case waits for a second cohort member. Confirm it "
                "or let it lapse before closing the case.",
                code="actions_pending",
            )
        _close(case)
        _note(case, by, CaseNote.Kind.RESOLVED, comment or "Resolved.")
    return case


def _close(case: Case) -> None:
    case.state = Case.State.RESOLVED
    case.resolved_at = timezone.now()
    case.second_opinion_asked_by = None
    case.second_opinion_asked_at = None
    case.save(
        update_fields=[
            "state",
            "resolved_at",
            "second_opinion_asked_by",
            "second_opinion_asked_at",
        ]
    )


def reopen_case(case: Case, *, by: Any, comment: str) -> Case:
    """Reopen a resolved CASE with a required COMMENT (peer review). When a newer case
    about the same target is already open, refuses with `already_open`: work there."""
    permissions.check_review_case(by, case)
    comment = _note_text(comment, field="comment")
    try:
        with transaction.atomic():
            case = _locked(case)
            if case.state != Case.State.RESOLVED:
                raise DomainError("This case is not resolved.", code="not_resolved")
            case.state = Case.State.OPEN
            case.resolved_at = None
            case.claimed_by = None
            case.claimed_at = None
            case.save(
                update_fields=["state", "resolved_at", "claimed_by", "claimed_at"]
            )
            _note(case, by, CaseNote.Kind.REOPENED, comment)
    except IntegrityError:
        raise DomainError(
            "A newer case about the same thing is open in the queue; continue there.",
            code="already_open",
        ) from None
    return case


def _reviewers(case: Case) -> Any:
    from fireside.accounts.models import Member

    if case.community_id is None:
        return Member.objects.filter(is_staff=True, is_active=True)
    return Member.objects.filter(
        pk__in=Membership.objects.cohort()
        .filter(community_id=case.community_id)
        .values("member_id"),
        is_active=True,
    )


def assign_round_robin(case: Case) -> Any:
    """When CASE's community takes turns (its cohort's `round_robin` setting), assign
    the new CASE to the cohort member with the fewest unresolved assigned cases, ties
    to whoever has waited longest since their last assignment; tell them. Returns the
    assignee, or None."""
    from fireside.moderation.actions.notices import notify

    community = case.community
    if community is None or not getattr(community, "round_robin", False):
        return None
    load = {
        row["assigned_to_id"]: row["count"]
        for row in Case.objects.unresolved()
        .filter(community=community, assigned_to__isnull=False)
        .values("assigned_to_id")
        .annotate(count=Count("id"))
    }
    last = {
        row["assigned_to_id"]: row["last"]
        for row in Case.objects.filter(community=community, assigned_to__isnull=False)
        .values("assigned_to_id")
        .annotate(last=Max("assigned_at"))
    }
    members = list(_reviewers(case).order_by("pk"))
    if not members:
        return None
    never = timezone.now().replace(year=1970)
    chosen = min(
        members,
        key=lambda m: (load.get(m.pk, 0), last.get(m.pk) or never, m.pk),
    )
    case.assigned_to = chosen
    case.assigned_at = timezone.now()
    case.save(update_fields=["assigned_to", "assigned_at"])
    notify(chosen, Notice.Kind.ASSIGNED, case=case)
    return chosen

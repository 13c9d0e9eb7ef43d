"""Actions on cases: proposed by one cohort member, in force at once or, under the
two-person rule, when a second one confirms; lapsed after 72 hours unconfirmed;
overturned by an upheld appeal or the cohort itself.

What each kind does when in force (in its community):
- dismiss: nothing but closing the case; nobody is told (the member never learns they
  were reported).
- hide: the post is gone for everyone but its author (told under which rule) and the
  cohort.
- warn: only the notice.
- mute for N days: no new posts or edits, no 1:1 requests about the community's posts;
  earlier posts stay up.
- suspend for N days: as a mute, and no reports there and no regular's standing.
- ban: the membership ends; no joining again, posting or 1:1 requests about its posts.
- grant_leader / revoke_leader: trust level 4 set or taken back through the trust app.
A two-person action (a ban, a suspension over 7 days, hiding a post over 24 hours old)
starts pending. The affected member is told the rule and the reason when it takes
effect, never before."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fireside.communities.models import Membership
from fireside.core.exceptions import DomainError, NotAllowed, ValidationFailed
from fireside.moderation import permissions
from fireside.moderation.actions.cases import _close, _locked, _unresolved
from fireside.moderation.actions.notices import notify
from fireside.moderation.models import Case, ModAction, Notice

#: The longest reason an action may give, in characters.
REASON_MAX_LENGTH = 1000
#: The longest mute or suspension, in days.
DAYS_MAX = 365
Kind = ModAction.Kind


def needs_second_person(kind: str, *, days: int | None, post: Any) -> bool:
    """Whether an action of KIND needs a second cohort member (the two-person rule)."""
    if kind in ModAction.TWO_PERSON_KINDS:
        return True
    if kind == Kind.SUSPEND and (days or 0) > ModAction.SUSPEND_DAYS_ALONE:
        return True
    return bool(
        kind == Kind.HIDE
        and post is not None
        and timezone.now() - post.created_at > ModAction.HIDE_ALONE_WITHIN
    )


def _check_kind(case: Case, kind: str, days: int | None, by: Any) -> dict[str, Any]:
    """Check KIND and DAYS against CASE's target; return the action's target fields."""
    if kind not in Kind.values:
        raise ValidationFailed(
            {
                "kind": [
                    "Choose dismiss, hide, warn, mute, suspend, ban, grant_leader or revoke_leader."
                ]
            }
        )
    if kind in (Kind.MUTE, Kind.SUSPEND):
        if days is None:
            raise ValidationFailed(
                {"days": [f"Say for how many days (1 to {DAYS_MAX})."]}
            )
        if not 1 <= days <= DAYS_MAX:
            raise ValidationFailed({"days": [f"A {kind} lasts 1 to {DAYS_MAX} days."]})
    elif days is not None:
        what = (
            "A ban lasts until it is overturned"
            if kind == Kind.BAN
            else "Only a mute or a suspension has a period"
        )
        raise ValidationFailed({"days": [f"{what}; leave the days out."]})
    if kind == Kind.DISMISS:
        return {"subject": None, "post": None}
    if case.community is None and kind in (*ModAction.RESTRICTIONS, Kind.HIDE):
        raise ValidationFailed(
            {
                "kind": [
                    "A case outside any community can be dismissed or answered with a "
                    "warning or a trust decision; suspending an account site-wide is "
                    "done from the staff area."
                ]
            }
        )
    subject = case.subject
    if subject is None:
        raise ValidationFailed(
            {
                "kind": [
                    "The member this case is about has left; only dismiss is possible."
                ]
            }
        )
    if subject.pk == by.pk:
        raise NotAllowed(
            "This case is about you, so another cohort member decides it.",
            code="own_case",
        )
    post = None
    if kind == Kind.HIDE:
        post = case.post
        if case.target_type != Case.TargetType.POST or post is None:
            raise ValidationFailed(
                {"kind": ["Only a post can be hidden; this case is not about one."]}
            )
        if post.is_deleted:
            raise ValidationFailed({"kind": ["Its author already deleted this post."]})
        if post.is_hidden:
            raise ValidationFailed({"kind": ["This post is already hidden."]})
    if (
        kind in ModAction.RESTRICTIONS
        and case.community is not None
        and Membership.objects.cohort()
        .filter(community=case.community, member=subject)
        .exists()
    ):
        raise NotAllowed(
            f"@{subject.handle} moderates {case.community.name}. Take them out of the "
            "cohort first, or ask an administrator.",
            code="cohort_subject",
        )
    return {"subject": subject, "post": post}


def _check_rule(case: Case, kind: str, number: int | None) -> str:
    """Return the words of rule NUMBER of CASE's community, or refuse it."""
    community = case.community
    if community is None:
        if number is not None:
            raise ValidationFailed(
                {
                    "rule": [
                        "The administrators' cases do not cite a community's rules; "
                        "leave the rule out and explain in the reason."
                    ]
                }
            )
        return ""
    rules = {rule.number: rule.text for rule in community.current_rules()}
    if number is None:
        if kind == Kind.DISMISS:
            return ""
        if not rules:
            raise ValidationFailed(
                {
                    "rule": [
                        f"{community.name} has no numbered rules yet. Every action "
                        "cites one: write the rules first."
                    ]
                }
            )
        raise ValidationFailed({"rule": ["Cite the rule this action enforces."]})
    if number not in rules:
        numbers = ", ".join(str(n) for n in sorted(rules)) or "none"
        raise ValidationFailed(
            {
                "rule": [
                    f"Rule {number} is not one of {community.name}'s rules (its "
                    f"rules are numbered: {numbers})."
                ]
            }
        )
    return rules[number][:500]


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            {"reason": ["Give the reason; the member concerned reads it."]}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {
                "reason": [
                    f"Keep the reason to {REASON_MAX_LENGTH:,} characters (this one "
                    f"has {len(reason):,})."
                ]
            }
        )
    if "\x00" in reason:
        raise ValidationFailed({"reason": ["Remove the NUL character."]})
    return reason


def propose_action(
    case: Case,
    *,
    by: Any,
    kind: str,
    reason: str,
    rule_number: int | None = None,
    days: int | None = None,
) -> ModAction:
    """Propose an action of KIND on CASE, citing RULE_NUMBER and REASON (DAYS for a mute
    or suspension). Under the two-person rule it starts `pending`; otherwise it is in
    force at once (its effect applied, the member told, the case resolved unless
    another action waits). Raises NotFound for a non-reviewer, ValidationFailed per
    field (`kind`, `rule`, `reason`, `days`), NotAllowed (`own_case`,
    `cohort_subject`), DomainError (`case_resolved`, `already_pending`)."""
    permissions.check_review_case(by, case)
    lapse_overdue_actions()
    target = _check_kind(case, kind, days, by)
    rule_text = _check_rule(case, kind, rule_number)
    reason = _check_reason(reason)
    with transaction.atomic():
        case = _locked(case)
        _unresolved(case)
        if case.actions.pending().filter(kind=kind).exists():
            raise DomainError(
                f"A {kind} on this case already waits for a second cohort member. "
                "Confirm that one instead.",
                code="already_pending",
            )
        pending = needs_second_person(kind, days=days, post=target["post"])
        action = ModAction.objects.create(
            case=case,
            community=case.community,
            kind=kind,
            subject=target["subject"],
            post=target["post"],
            rule_number=rule_number if case.community is not None else None,
            rule_text=rule_text,
            reason=reason,
            days=days,
            state=ModAction.State.PENDING if pending else ModAction.State.IN_FORCE,
            proposed_by=by,
        )
        if not pending:
            _take_effect(action, by=by, case=case)
    return action


def confirm_action(action: ModAction, *, by: Any) -> ModAction:
    """Confirm a pending ACTION as the second cohort member: it takes effect. Raises
    NotFound for a non-reviewer, NotAllowed `own_action` for its proposer and
    DomainError `not_pending` once it is in force, lapsed or overturned."""
    permissions.check_confirm_action(by, action)
    lapse_overdue_actions()
    with transaction.atomic():
        action = ModAction.objects.select_for_update().get(pk=action.pk)
        if action.current_state != ModAction.State.PENDING:
            raise DomainError(
                f"This action is no longer waiting for confirmation: it is "
                f"{action.current_state_display}.",
                code="not_pending",
            )
        case = _locked(action.case) if action.case is not None else None
        # The case may have changed since the proposal (the member joined the cohort,
        # the post was deleted): the same checks again.
        if case is not None:
            _check_kind(case, action.kind, action.days, action.proposed_by or by)
            if action.subject_id == by.pk:
                raise NotAllowed("This action is about you.", code="own_case")
        action.confirmed_by = by
        _take_effect(action, by=by, case=case)
    return action


def _take_effect(action: ModAction, *, by: Any, case: Case | None) -> None:
    now = timezone.now()
    action.state = ModAction.State.IN_FORCE
    action.in_force_at = now
    if action.days:
        action.ends_at = now + timedelta(days=action.days)
    action.save(update_fields=["state", "in_force_at", "ends_at", "confirmed_by"])
    _apply(action, by=by)
    if (
        case is not None
        and case.state != Case.State.RESOLVED
        and not case.actions.pending().exists()
    ):
        _close(case)
    if action.subject is not None and action.kind != Kind.DISMISS:
        notify(action.subject, Notice.Kind.ACTION, action=action)


def _leader_reason(action: ModAction, verb: str) -> str:
    where = action.community.name if action.community else "the administrators"
    rule = f", rule {action.rule_number}" if action.rule_number else ""
    return f"{verb} by the cohort of {where}{rule}: {action.reason}"[:200]


def _apply(action: ModAction, *, by: Any) -> None:
    from fireside.posts.models import Post
    from fireside.trust import actions as trust
    from fireside.trust import levels

    subject = action.subject
    if action.kind == Kind.HIDE and action.post_id is not None:
        Post.objects.filter(pk=action.post_id).update(
            hidden_at=action.in_force_at, hidden_by_action=action
        )
        # Servers that received the post are asked to delete it too.
        from fireside.federation import outbox

        outbox.on_commit(outbox.POST_HIDDEN, action.post_id)
    elif action.kind == Kind.BAN and subject is not None:
        Membership.objects.filter(community=action.community, member=subject).exclude(
            role=Membership.Role.LEAD, state=Membership.State.ACTIVE
        ).delete()
    elif action.kind == Kind.GRANT_LEADER and subject is not None:
        trust.set_trust_level(
            subject, levels.LEADER, by=by, reason=_leader_reason(action, "Granted")
        )
    elif action.kind == Kind.REVOKE_LEADER and subject is not None:
        earned = min(levels.earned_level(levels.signals_of(subject)), levels.LEADER - 1)
        trust.set_trust_level(
            subject, earned, by=by, reason=_leader_reason(action, "Revoked")
        )


def overturn_action(action: ModAction, *, by: Any, reason: str) -> ModAction:
    """Overturn ACTION (an upheld appeal, or the cohort reversing itself): it stops
    holding and its effect is undone where it can be (a hidden post shows again, a
    granted level 4 is taken back and a revoked one restored; a banned member may join
    again, but their membership is not restored for them). The member is told. BY must
    review the action's cases or be an administrator."""
    from fireside.posts.models import Post
    from fireside.trust import actions as trust
    from fireside.trust import levels

    permissions.check_overturn_action(by, action)
    reason = _check_reason(reason)
    with transaction.atomic():
        action = ModAction.objects.select_for_update().get(pk=action.pk)
        if action.state != ModAction.State.IN_FORCE:
            raise DomainError(
                f"Only an action in force can be overturned; this one is "
                f"{action.current_state_display}.",
                code="not_in_force",
            )
        action.state = ModAction.State.OVERTURNED
        action.overturned_at = timezone.now()
        action.overturned_reason = reason
        action.save(update_fields=["state", "overturned_at", "overturned_reason"])
        subject = action.subject
        if action.kind == Kind.HIDE and action.post_id is not None:
            shown = Post.objects.filter(
                pk=action.post_id, hidden_by_action=action
            ).update(hidden_at=None, hidden_by_action=None)
            if shown:
                from fireside.federation import outbox

                outbox.on_commit(outbox.POST_PUBLISHED, action.post_id)
        elif action.kind == Kind.GRANT_LEADER and subject is not None:
            earned = min(
                levels.earned_level(levels.signals_of(subject)), levels.LEADER - 1
            )
            trust.set_trust_level(
                subject, earned, by=by, reason=_leader_reason(action, "Overturned")
            )
        elif action.kind == Kind.REVOKE_LEADER and subject is not None:
            trust.set_trust_level(
                subject,
                levels.LEADER,
                by=by,
                reason=_leader_reason(action, "Overturned"),
            )
        if subject is not None and action.kind != Kind.DISMISS:
            notify(subject, Notice.Kind.OVERTURNED, action=action)
    return action


def lapse_overdue_actions(at: Any = None) -> int:
    """Mark pending actions nobody confirmed within 72 hours as lapsed; return how many.
    Safe to run any number of times; reads never depend on it (ModAction.current_state
    and `pending()` already treat overdue rows as lapsed)."""
    return ModAction.objects.overdue(at).update(state=ModAction.State.LAPSED)


def is_appealable(action: ModAction) -> bool:
    """Whether ACTION's member may appeal it now: in force (its period may be over),
    not a dismissal, about someone, and not appealed before (one appeal per action)."""
    if action.current_state != ModAction.State.IN_FORCE:
        return False
    if action.kind == Kind.DISMISS or action.subject_id is None:
        return False
    for name in ("appeal", "appeals"):
        # A one-to-one without a row raises an AttributeError subclass: no appeal yet.
        related: Any = getattr(action, name, None)
        if hasattr(related, "exists"):
            if related.exists():
                return False
        elif related is not None:
            return False
    return True

"""Every change to trust: days active, recomputed levels, levels set by hand."""

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.core.exceptions import NotFound, ValidationFailed
from fireside.trust import levels
from fireside.trust.models import ActiveDay, TrustChange

#: Members recomputed per query batch by `recompute_all`.
RECOMPUTE_BATCH = 500
#: How an operator's change is marked in its reason.
ADMINISTRATOR_PREFIX = "Administrator action: "


def record_activity(member: Any) -> None:
    """Note that MEMBER used Fireside today. Cheap: one cache lookup on most calls, and at
    most one insert per member per day (the cache key guards it, the unique constraint
    settles races between processes)."""
    if member is None or not getattr(member, "is_authenticated", False):
        return
    today = timezone.now().date()
    key = f"trust-active:{member.pk}:{today.isoformat()}"
    if not cache.add(key, 1, timeout=26 * 60 * 60):
        return
    # One INSERT … ON CONFLICT DO NOTHING: a race between processes is settled by the
    # unique constraint.
    ActiveDay.objects.bulk_create(
        [ActiveDay(member_id=member.pk, day=today)], ignore_conflicts=True
    )


def _change(
    member: Any, to_level: int, *, reason: str, by: Any, is_manual: bool
) -> TrustChange | None:
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        # A manual change is recorded even when the level stays: it binds recomputation.
        if locked.trust_level == to_level and not is_manual:
            member.trust_level = to_level
            return None
        change = TrustChange.objects.create(
            member=locked,
            from_level=locked.trust_level,
            to_level=to_level,
            reason=reason[:300],
            by=by,
            is_manual=is_manual,
        )
        Member.objects.filter(pk=locked.pk).update(trust_level=to_level)
    member.trust_level = to_level
    return change


def recompute_member(member: Any, *, only_raise: bool = False) -> TrustChange | None:
    """Recompute MEMBER's trust level from their signals; record and return the change,
    or None when the level stays. Safe to run any number of times.

    ONLY_RAISE is for recomputing after an event that can only add evidence (an email
    verified, a request accepted): the level may rise but is never lowered there; the
    full recomputation (the nightly task) and moderation lower it."""
    signals = levels.signals_of(member)
    level, reason = levels.settle_level(member, signals)
    if only_raise and level <= member.trust_level:
        return None
    return _change(
        member,
        level,
        reason=reason[:1].upper() + reason[1:] + ".",
        by=None,
        is_manual=False,
    )


def recompute_member_on_commit(member: Any) -> None:
    """Raise MEMBER's level, if they now earn more, once the current transaction commits.
    MEMBER may be a member or a member id. Call it after an action that adds evidence: an
    email verified, a request accepted (for its initiator)."""
    member_id = member if isinstance(member, int) else member.pk
    transaction.on_commit(lambda: recompute_member_by_id(member_id, only_raise=True))


def recompute_member_by_id(
    member_id: int, *, only_raise: bool = False
) -> TrustChange | None:
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return None
    return recompute_member(member, only_raise=only_raise)


def recompute_all(*, batch_size: int = RECOMPUTE_BATCH) -> int:
    """Recompute every active member's level, in batches by id; return how many changed."""
    changed = 0
    last_id = 0
    while True:
        batch = list(
            Member.objects.active().filter(pk__gt=last_id).order_by("pk")[:batch_size]
        )
        if not batch:
            return changed
        for member in batch:
            if recompute_member(member) is not None:
                changed += 1
        last_id = batch[-1].pk


def set_trust_level(
    member: Any, level: int, *, by: Any = None, reason: str = ""
) -> TrustChange | None:
    """Set MEMBER's level by hand: an operator (BY None; the reason says so) or, later, a
    cohort granting level 4. The change binds recomputation (see levels.settle_level)."""
    if level not in levels.LEVEL_NAMES:
        raise ValidationFailed(
            {"level": ["A trust level is a whole number from 0 to 4."]},
            code="bad_level",
        )
    reason = " ".join(reason.split())
    if len(reason) > 200:
        raise ValidationFailed(
            {"reason": ["Keep the reason under 200 characters."]}, code="too_long"
        )
    if by is None:
        reason = ADMINISTRATOR_PREFIX + (reason or "set by an administrator")
    return _change(member, level, reason=reason, by=by, is_manual=True)


def member_by_handle(handle: str) -> Any:
    from fireside.accounts.handles import normalize_handle

    member = Member.objects.filter(handle=normalize_handle(handle.lstrip("@"))).first()
    if member is None:
        raise NotFound(f"There is no member @{handle.lstrip('@')}.", code="not_found")
    return member


def backdate_activity(member: Any, days: list[dt.date]) -> None:
    """Record MEMBER as active on DAYS (demo data and imports)."""
    ActiveDay.objects.bulk_create(
        [ActiveDay(member_id=member.pk, day=day) for day in days],
        ignore_conflicts=True,
    )

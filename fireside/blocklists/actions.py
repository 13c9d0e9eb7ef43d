"""Every change to blocklists: lists, entries, publishing, subscriptions, and the screening
of joins that subscriptions do."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fireside.accounts.handles import HANDLE_PATTERN, normalize_handle
from fireside.accounts.models import Member
from fireside.blocklists import permissions
from fireside.blocklists.models import (
    Blocklist,
    BlocklistEntry,
    BlocklistSubscription,
    ScreenedJoin,
)
from fireside.communities.models import Community
from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed

NAME_MAX = 80
DESCRIPTION_MAX = 1000
REASON_MAX = 500
REFUSAL = "This community does not accept your request to join."


def _text_problem(value: str, *, label: str, limit: int, required: bool) -> str | None:
    if required and not value.strip():
        return f"Write {label}."
    if len(value.strip()) > limit:
        return f"This can have at most {limit} characters."
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        return "This cannot contain the NUL character."
    return None


def create_blocklist(
    community: Community, *, by: Any, name: str, description: str = ""
) -> Blocklist:
    """Start an unpublished list kept by COMMUNITY's cohort (BY belongs to it)."""
    permissions.check_manage_blocklists_of(by, community)
    errors: dict[str, list[str]] = {}
    problem = _text_problem(name, label="a name", limit=NAME_MAX, required=True)
    if problem:
        errors["name"] = [problem]
    problem = _text_problem(
        description, label="a description", limit=DESCRIPTION_MAX, required=False
    )
    if problem:
        errors["description"] = [problem]
    if not errors and community.blocklists.filter(name=name.strip()).exists():
        errors["name"] = ["Your cohort already keeps a list of that name."]
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            return Blocklist.objects.create(
                community=community,
                name=name.strip(),
                description=description.strip(),
                created_by=by,
            )
    except IntegrityError:
        raise ValidationFailed(
            {"name": ["Your cohort already keeps a list of that name."]}
        ) from None


def add_entry(
    blocklist: Blocklist, *, by: Any, handle: str, reason: str
) -> BlocklistEntry:
    """Put the member with HANDLE on BLOCKLIST, with a REASON other cohorts can weigh.
    Members already in a community stay: entries screen only later joins."""
    permissions.check_manage_blocklist(by, blocklist)
    errors: dict[str, list[str]] = {}
    normal = normalize_handle(handle or "")
    member = None
    if not HANDLE_PATTERN.fullmatch(normal):
        errors["handle"] = ["Enter a member's handle, such as @ada."]
    else:
        member = Member.objects.filter(handle=normal).first()
        if member is None:
            errors["handle"] = [f"No member has the handle @{normal}."]
        elif blocklist.entries.filter(handle=normal).exists():
            errors["handle"] = [f"@{normal} is already on this list."]
    problem = _text_problem(
        reason, label="the reason, for the cohorts", limit=REASON_MAX, required=True
    )
    if problem:
        errors["reason"] = [problem]
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            return BlocklistEntry.objects.create(
                blocklist=blocklist,
                member=member,
                handle=normal,
                reason=reason.strip(),
                added_by=by,
            )
    except IntegrityError:
        raise ValidationFailed(
            {"handle": [f"@{normal} is already on this list."]}
        ) from None


def remove_entry(blocklist: Blocklist, *, by: Any, handle: str) -> None:
    """Take HANDLE off BLOCKLIST. Raise NotFound when it is not on it."""
    permissions.check_manage_blocklist(by, blocklist)
    normal = normalize_handle(handle or "")
    deleted = 0
    if HANDLE_PATTERN.fullmatch(normal):
        deleted, _ = blocklist.entries.filter(handle=normal).delete()
    if not deleted:
        raise NotFound("That handle is not on this list.", code="not_on_list")


def set_blocklist_published(
    blocklist: Blocklist, *, by: Any, is_published: bool
) -> Blocklist:
    """Publish BLOCKLIST to every cohort, or take it back. While unpublished, other
    communities' subscriptions to it stay but screen nobody."""
    permissions.check_manage_blocklist(by, blocklist)
    blocklist.is_published = is_published
    blocklist.save(update_fields=["is_published"])
    return blocklist


def subscribe(
    community: Community, *, by: Any, blocklist: Blocklist, mode: str
) -> tuple[BlocklistSubscription, bool]:
    """Make COMMUNITY screen joins with BLOCKLIST (published, or its own), refusing or
    queueing the members on it as MODE says. Subscribing again changes the mode.
    Returns the subscription and whether it is new."""
    permissions.check_manage_blocklists_of(by, community)
    if mode not in BlocklistSubscription.Mode.values:
        raise ValidationFailed(
            {"mode": ["Choose “refuse” or “queue”."]}, code="invalid_mode"
        )
    if not blocklist.is_published and blocklist.community_id != community.pk:
        raise NotFound()
    with transaction.atomic():
        subscription, created = BlocklistSubscription.objects.get_or_create(
            community=community,
            blocklist=blocklist,
            defaults={"mode": mode, "created_by": by},
        )
        if not created and subscription.mode != mode:
            subscription.mode = mode
            subscription.save(update_fields=["mode"])
    return subscription, created


def unsubscribe(subscription: BlocklistSubscription, *, by: Any) -> None:
    """End SUBSCRIPTION: the list no longer screens joins to its community."""
    permissions.check_manage_blocklists_of(by, subscription.community)
    subscription.delete()


def screen_join(community: Community, *, member: Any) -> str | None:
    """Check MEMBER against the lists COMMUNITY subscribes to, before they join.

    Returns "queue" when the join must wait in the join queue, None when nothing applies.
    Raises NotAllowed (code `join_refused`, without naming any list) when a subscription
    refuses. Either outcome is recorded for the cohort (ScreenedJoin). Lists of other
    communities count only while published."""
    subscriptions = (
        BlocklistSubscription.objects.filter(
            community=community,
            blocklist__entries__member=member,
        )
        .filter(Q(blocklist__is_published=True) | Q(blocklist__community=community))
        .select_related("blocklist")
        .distinct()
    )
    modes = {subscription.mode: subscription for subscription in subscriptions}
    chosen = modes.get(BlocklistSubscription.Mode.REFUSE) or modes.get(
        BlocklistSubscription.Mode.QUEUE
    )
    if chosen is None:
        return None
    refused = chosen.mode == BlocklistSubscription.Mode.REFUSE
    ScreenedJoin.objects.create(
        community=community,
        member=member,
        blocklist=chosen.blocklist,
        outcome=(
            ScreenedJoin.Outcome.REFUSED if refused else ScreenedJoin.Outcome.QUEUED
        ),
        created_at=timezone.now(),
    )
    if refused:
        raise NotAllowed(REFUSAL, code="join_refused")
    return "queue"

"""Shared blocklists in the JSON API. Every route is for cohorts: a community's own lists,
the directory of published lists, entries, publishing and subscriptions."""

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from fireside.accounts.authentication import member_auth, request_member
from fireside.accounts.models import Member
from fireside.blocklists import actions, permissions
from fireside.blocklists.models import (
    Blocklist,
    BlocklistEntry,
    BlocklistQuerySet,
    BlocklistSubscription,
    ScreenedJoin,
)
from fireside.communities.actions import SLUG_PATTERN
from fireside.communities.models import Community

router = Router(tags=["blocklists"])


class EntryOut(Schema):
    handle: str
    reason: str
    added_by: str | None
    added_at: datetime

    @staticmethod
    def resolve_added_by(entry: BlocklistEntry) -> str | None:
        return entry.added_by.handle if entry.added_by else None


class BlocklistOut(Schema):
    id: int
    community: str
    name: str
    description: str
    published: bool
    created_at: datetime
    entries: list[EntryOut]

    @staticmethod
    def resolve_community(blocklist: Blocklist) -> str:
        return blocklist.community.slug

    @staticmethod
    def resolve_published(blocklist: Blocklist) -> bool:
        return blocklist.is_published

    @staticmethod
    def resolve_entries(blocklist: Blocklist) -> list[BlocklistEntry]:
        return list(blocklist.entries.all())


class BlocklistIn(Schema):
    name: str
    description: str = ""


class EntryIn(Schema):
    handle: str
    reason: str


class SubscriptionOut(Schema):
    id: int
    community: str
    blocklist: int
    blocklist_name: str
    blocklist_community: str
    mode: Literal["refuse", "queue"]
    created_at: datetime

    @staticmethod
    def resolve_community(subscription: BlocklistSubscription) -> str:
        return subscription.community.slug

    @staticmethod
    def resolve_blocklist(subscription: BlocklistSubscription) -> int:
        return subscription.blocklist_id

    @staticmethod
    def resolve_blocklist_name(subscription: BlocklistSubscription) -> str:
        return subscription.blocklist.name

    @staticmethod
    def resolve_blocklist_community(subscription: BlocklistSubscription) -> str:
        return subscription.blocklist.community.slug


class SubscriptionIn(Schema):
    blocklist: int
    mode: str


class ScreenedJoinOut(Schema):
    handle: str
    outcome: Literal["refused", "queued"]
    blocklist: int | None
    at: datetime

    @staticmethod
    def resolve_handle(screened: ScreenedJoin) -> str:
        return screened.member.handle

    @staticmethod
    def resolve_blocklist(screened: ScreenedJoin) -> int | None:
        return screened.blocklist_id

    @staticmethod
    def resolve_at(screened: ScreenedJoin) -> datetime:
        return screened.created_at


def _lists() -> BlocklistQuerySet:
    return Blocklist.objects.select_related("community").prefetch_related(
        "entries__added_by"
    )


def _cohort_community(request: HttpRequest, slug: str) -> tuple[Member, Community]:
    """The community at SLUG if the member may see it (else 404), with the member, who
    must belong to its cohort (else 403)."""
    member = request_member(request)
    if not SLUG_PATTERN.fullmatch(slug):
        raise Http404
    community = get_object_or_404(Community.objects.visible_to(member), slug=slug)
    permissions.check_manage_blocklists_of(member, community)
    return member, community


def _visible_list(member: Member, blocklist_id: int) -> Blocklist:
    return get_object_or_404(_lists().visible_to(member), pk=blocklist_id)


@router.get(
    "communities/{slug}/blocklists", response=list[BlocklistOut], auth=member_auth
)
def community_blocklists(request: HttpRequest, slug: str) -> list[Blocklist]:
    """The lists this community's cohort keeps, with their entries (the cohort only)."""
    _, community = _cohort_community(request, slug)
    return list(_lists().filter(community=community))


@router.post(
    "communities/{slug}/blocklists", response={201: BlocklistOut}, auth=member_auth
)
def create_blocklist(
    request: HttpRequest, slug: str, payload: BlocklistIn
) -> Status[Blocklist]:
    """Start a list (unpublished) kept by this community's cohort (the cohort only)."""
    member, community = _cohort_community(request, slug)
    blocklist = actions.create_blocklist(
        community, by=member, name=payload.name, description=payload.description
    )
    return Status(201, blocklist)


@router.get("blocklists", response=list[BlocklistOut], auth=member_auth)
def published_blocklists(request: HttpRequest) -> list[Blocklist]:
    """Every published list, with handles and reasons: for cohort members of any
    community (and the instance's administrators), never for ordinary members."""
    member = request_member(request)
    permissions.check_browse_blocklists(member)
    return list(_lists().published().order_by("community__name", "name", "id"))


@router.get("blocklists/{blocklist_id}", response=BlocklistOut, auth=member_auth)
def blocklist_detail(request: HttpRequest, blocklist_id: int) -> Blocklist:
    """One list: your cohort's own, or a published one (cohorts only; else 404)."""
    return _visible_list(request_member(request), blocklist_id)


@router.post(
    "blocklists/{blocklist_id}/entries", response={201: EntryOut}, auth=member_auth
)
def add_entry(
    request: HttpRequest, blocklist_id: int, payload: EntryIn
) -> Status[BlocklistEntry]:
    """Put a handle on the list with a reason (its cohort only). Members already in a
    subscribing community stay: lists screen only later joins."""
    member = request_member(request)
    blocklist = _visible_list(member, blocklist_id)
    entry = actions.add_entry(
        blocklist, by=member, handle=payload.handle, reason=payload.reason
    )
    return Status(201, entry)


@router.delete(
    "blocklists/{blocklist_id}/entries/{handle}",
    response={204: None},
    auth=member_auth,
)
def remove_entry(request: HttpRequest, blocklist_id: int, handle: str) -> Status[None]:
    """Take a handle off the list (its cohort only)."""
    member = request_member(request)
    blocklist = _visible_list(member, blocklist_id)
    actions.remove_entry(blocklist, by=member, handle=handle)
    return Status(204, None)


@router.post(
    "blocklists/{blocklist_id}/publish", response=BlocklistOut, auth=member_auth
)
def publish(request: HttpRequest, blocklist_id: int) -> Blocklist:
    """Publish the list to every cohort (its cohort only)."""
    member = request_member(request)
    blocklist = _visible_list(member, blocklist_id)
    return actions.set_blocklist_published(blocklist, by=member, is_published=True)


@router.post(
    "blocklists/{blocklist_id}/unpublish", response=BlocklistOut, auth=member_auth
)
def unpublish(request: HttpRequest, blocklist_id: int) -> Blocklist:
    """Take the list back from the directory (its cohort only); other communities'
    subscriptions to it then screen nobody."""
    member = request_member(request)
    blocklist = _visible_list(member, blocklist_id)
    return actions.set_blocklist_published(blocklist, by=member, is_published=False)


def _subscriptions() -> QuerySet[BlocklistSubscription]:
    return BlocklistSubscription.objects.select_related(
        "community", "blocklist__community"
    )


@router.get(
    "communities/{slug}/blocklist-subscriptions",
    response=list[SubscriptionOut],
    auth=member_auth,
)
def subscriptions(request: HttpRequest, slug: str) -> list[BlocklistSubscription]:
    """The lists this community screens joins with, and how (the cohort only)."""
    _, community = _cohort_community(request, slug)
    return list(_subscriptions().filter(community=community))


@router.post(
    "communities/{slug}/blocklist-subscriptions",
    response={200: SubscriptionOut, 201: SubscriptionOut},
    auth=member_auth,
)
def subscribe(
    request: HttpRequest, slug: str, payload: SubscriptionIn
) -> Status[BlocklistSubscription]:
    """Screen joins with a published list (or your own): `mode` "refuse" turns members
    on it away, "queue" puts their join in the join queue. 201 when new; subscribing
    again changes the mode (200). The cohort only."""
    member, community = _cohort_community(request, slug)
    blocklist = _visible_list(member, payload.blocklist)
    subscription, created = actions.subscribe(
        community, by=member, blocklist=blocklist, mode=payload.mode
    )
    return Status(201 if created else 200, subscription)


@router.delete(
    "communities/{slug}/blocklist-subscriptions/{subscription_id}",
    response={204: None},
    auth=member_auth,
)
def unsubscribe(request: HttpRequest, slug: str, subscription_id: int) -> Status[None]:
    """Stop screening joins with that list (the cohort only)."""
    member, community = _cohort_community(request, slug)
    subscription = get_object_or_404(
        community.blocklist_subscriptions.select_related("community"),
        pk=subscription_id,
    )
    actions.unsubscribe(subscription, by=member)
    return Status(204, None)


@router.get(
    "communities/{slug}/blocklist-screenings",
    response=list[ScreenedJoinOut],
    auth=member_auth,
)
def screenings(request: HttpRequest, slug: str) -> list[ScreenedJoin]:
    """The latest joins the subscribed lists refused or queued (the cohort only)."""
    _, community = _cohort_community(request, slug)
    return list(community.screened_joins.select_related("member")[:50])

"""What a community page lists: its posts newest first and its members by handle, read a
page at a time with a signed keyset cursor (no OFFSET, and never a count)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from fireside.communities.models import (
    CohortEvent,
    CohortInvitation,
    Community,
    Membership,
    Topic,
)
from fireside.core.exceptions import ValidationFailed
from fireside.posts.models import Post
from fireside.safety.queries import hidden_authors

PAGE_SIZE = 20
CURSOR_SALT = "fireside.communities.listings"


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


def _damaged_cursor() -> ValidationFailed:
    return ValidationFailed(
        {"cursor": ["This page link is damaged. Start again from the first page."]},
        code="invalid_cursor",
    )


def _decode(cursor: str, kind: str, community: Community) -> list[Any]:
    try:
        position = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise _damaged_cursor() from None
    # A cursor only works for the list and the community that made it.
    if not isinstance(position, list) or position[:2] != [kind, community.pk]:
        raise _damaged_cursor()
    return position[2:]


def _encode(kind: str, community: Community, *position: Any) -> str:
    return signing.dumps([kind, community.pk, *position], salt=CURSOR_SALT)


def _moment_and_id(position: list[Any]) -> tuple[datetime, int]:
    try:
        created_text, last_id = position
        created_at = parse_datetime(created_text)
    except (TypeError, ValueError):
        raise _damaged_cursor() from None
    if created_at is None or not isinstance(last_id, int):
        raise _damaged_cursor()
    return created_at, last_id


def community_posts(
    community: Community,
    *,
    viewer: Any,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Post]:
    """Return one page of COMMUNITY's live posts that VIEWER may read, newest first.

    A request or invite community answers an empty page to anyone but its members.
    Raises ValidationFailed naming `cursor` for a cursor this function did not make.
    """
    posts = (
        Post.objects.visible_to(viewer)
        .filter(community=community)
        .exclude(hidden_authors(viewer))  # muted or blocked by VIEWER
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    if cursor:
        created_at, last_id = _moment_and_id(_decode(cursor, "posts", community))
        posts = posts.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id)
        )
    rows = list(posts[: limit + 1])
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    last = rows[limit - 1]
    next_cursor = _encode("posts", community, last.created_at.isoformat(), last.pk)
    return Page(items=rows[:limit], next_cursor=next_cursor)


def community_members(
    community: Community, *, cursor: str | None = None, limit: int = PAGE_SIZE * 5
) -> Page[Membership]:
    """Return one page of COMMUNITY's active memberships, by handle.

    Who may see it is the caller's check (`permissions.check_see_members`).
    """
    memberships = (
        community.memberships.active()
        .select_related("member")
        .order_by("member__handle")
    )
    if cursor:
        position = _decode(cursor, "members", community)
        if len(position) != 1 or not isinstance(position[0], str):
            raise _damaged_cursor()
        memberships = memberships.filter(member__handle__gt=position[0])
    rows = list(memberships[: limit + 1])
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    next_cursor = _encode("members", community, rows[limit - 1].member.handle)
    return Page(items=rows[:limit], next_cursor=next_cursor)


def directory_topics() -> list[str]:
    """Return the names of the topics at least one listed community has, A to Z."""
    topics = Topic.objects.filter(communities__is_listed=True).distinct()
    return list(topics.order_by("name").values_list("name", flat=True))


def cohort_places(community: Community) -> list[Membership]:
    """Who moderates COMMUNITY: the lead first, then moderators, longest-serving first."""
    places = community.memberships.cohort().select_related("member").by_seniority()
    return sorted(places, key=lambda place: place.role != Membership.Role.LEAD)


def open_cohort_invitations(community: Community) -> list[CohortInvitation]:
    return list(
        community.cohort_invitations.open()
        .select_related("community", "member", "invited_by")
        .order_by("created_at", "id")
    )


def cohort_history(community: Community, limit: int = 20) -> list[CohortEvent]:
    """The latest changes to the cohort, newest first (a short history, not a feed)."""
    return list(community.cohort_events.select_related("member", "by")[:limit])

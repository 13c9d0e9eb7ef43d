"""The home feed: posts of the member's communities, newest first, read with a keyset cursor
(no OFFSET, so a page costs the same however deep it is)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from fireside.communities.models import Membership
from fireside.core.exceptions import ValidationFailed
from fireside.posts.models import Post
from fireside.safety.queries import HIDDEN_AUTHORS_SQL, hidden_authors

PAGE_SIZE = 20
CURSOR_SALT = "fireside.feed.cursor"


@dataclass(frozen=True)
class FeedPage:
    items: list[Post]
    next_cursor: str | None


def encode_cursor(post: Post) -> str:
    return signing.dumps([post.created_at.isoformat(), post.pk], salt=CURSOR_SALT)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Read a cursor this module made; anything else is refused with a reason."""
    try:
        created_at_text, post_id = signing.loads(cursor, salt=CURSOR_SALT)
        created_at = parse_datetime(created_at_text)
        if created_at is None or not isinstance(post_id, int):
            raise ValueError
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationFailed(
            {"cursor": ["This page link is damaged. Start again from the first page."]},
            code="invalid_cursor",
        ) from None
    return created_at, post_id


# SQLite allows 500 terms in one compound SELECT; past this, one plain query instead.
MERGE_LIMIT = 400


def _newest_post_ids(
    community_ids: list[int],
    after: tuple[datetime, int] | None,
    count: int,
    viewer_id: int,
) -> list[int]:
    """The ids of the COUNT newest live posts of these communities, after AFTER.

    One index seek per community (at most COUNT rows each), merged by the database. Asking
    for "posts of any of my communities, newest first" instead makes the database gather
    and sort every post of those communities: at 1M posts that is 25,000 rows for a member
    of 50 communities, and the page slows from milliseconds to over a hundred.
    """
    table = Post._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    for number, community_id in enumerate(community_ids):
        # Not the posts a cohort hid (fireside.moderation).
        where = "community_id = %s AND deleted_at IS NULL AND hidden_at IS NULL"
        params.append(community_id)
        # Not the authors the member muted or blocked (fireside.safety), in the same
        # statement: the feed's query count stays the same.
        where += f" AND (author_id IS NULL OR author_id NOT IN ({HIDDEN_AUTHORS_SQL}))"
        params += [viewer_id, viewer_id]
        if after is not None:
            created_at = connection.ops.adapt_datetimefield_value(after[0])
            where += " AND (created_at < %s OR (created_at = %s AND id < %s))"
            params += [created_at, created_at, after[1]]
        parts.append(
            f"SELECT * FROM (SELECT id, created_at FROM {table} WHERE {where} "
            f"ORDER BY created_at DESC, id DESC LIMIT %s) AS newest_{number}"
        )
        params.append(count)
    sql = " UNION ALL ".join(parts) + " ORDER BY created_at DESC, id DESC LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, count])
        return [row[0] for row in cursor.fetchall()]


def home_feed(
    member: Any, *, cursor: str | None = None, limit: int = PAGE_SIZE
) -> FeedPage:
    """Return one page of MEMBER's home feed after CURSOR."""
    after = decode_cursor(cursor) if cursor else None
    community_ids = list(
        Membership.objects.active()
        .filter(member=member)
        .values_list("community_id", flat=True)
    )
    posts = (
        Post.objects.live()
        .select_related("community", "author")
        .prefetch_related("topics")
        .order_by("-created_at", "-id")
    )
    if not community_ids:
        return FeedPage(items=[], next_cursor=None)
    if len(community_ids) <= MERGE_LIMIT:
        posts = posts.filter(
            pk__in=_newest_post_ids(community_ids, after, limit + 1, member.pk)
        )
    else:
        posts = (
            posts.filter(community_id__in=community_ids)
            .not_hidden()
            .exclude(hidden_authors(member))
        )
        if after is not None:
            posts = posts.filter(
                Q(created_at__lt=after[0]) | Q(created_at=after[0], id__lt=after[1])
            )
    items = list(posts[: limit + 1])
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    return FeedPage(items=items[:limit], next_cursor=next_cursor)

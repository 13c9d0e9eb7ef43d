"""The home feed: posts of the member's communities and dialogues published by their
connections, newest first, read with a keyset cursor (no OFFSET, so a page costs the same
however deep it is).

Two sources, each read newest first after the cursor and merged here: posts (by
`created_at`) and dialogues (by `published_at`). Their order is one total order, (moment,
kind, id) descending, with a dialogue before a post of the same moment, and the cursor
names a position in it, so "Load more" never skips or repeats an item of either kind."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core import signing
from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from fireside.communities.models import Membership
from fireside.connections.queries import dialogues_of_connections
from fireside.core.exceptions import ValidationFailed
from fireside.dialogues.models import Dialogue
from fireside.posts.models import Post
from fireside.safety.queries import HIDDEN_AUTHORS_SQL, hidden_authors

PAGE_SIZE = 20
CURSOR_SALT = "fireside.feed.cursor"


FeedItem = Post | Dialogue
Kind = Literal["post", "dialogue"]
#: Larger than any id: "every post of this moment" in a keyset comparison.
ID_BEYOND = 2**63 - 1


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last item's moment, id and kind."""

    moment: datetime
    item_id: int
    kind: Kind = "post"


def item_moment(item: FeedItem) -> datetime:
    """When an item entered the feed: a post when opened, a dialogue when published."""
    if isinstance(item, Dialogue):
        assert item.published_at is not None  # the feed reads published ones only
        return item.published_at
    return item.created_at


def _sort_key(item: FeedItem) -> tuple[datetime, int, int]:
    return (item_moment(item), int(isinstance(item, Dialogue)), item.pk)


def encode_cursor(item: FeedItem) -> str:
    position: list[Any] = [item_moment(item).isoformat(), item.pk]
    if isinstance(item, Dialogue):
        position.append("dialogue")
    return signing.dumps(position, salt=CURSOR_SALT)


def decode_cursor(cursor: str) -> Position:
    """Read a cursor this module made; anything else is refused with a reason. A cursor
    of two parts (made before dialogues joined the feed) points after a post."""
    try:
        moment_text, item_id, *rest = signing.loads(cursor, salt=CURSOR_SALT)
        moment = parse_datetime(moment_text)
        kind: Any = rest[0] if rest else "post"
        if (
            moment is None
            or not isinstance(item_id, int)
            or kind not in ("post", "dialogue")
            or len(rest) > 1
        ):
            raise ValueError
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationFailed(
            {"cursor": ["This page link is damaged. Start again from the first page."]},
            code="invalid_cursor",
        ) from None
    return Position(moment, item_id, kind)


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


def _posts_after(
    member: Any, after: tuple[datetime, int] | None, limit: int
) -> list[Post]:
    """The LIMIT newest posts of MEMBER's communities after AFTER."""
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
        return []
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
    return list(posts[:limit])


def _dialogues_after(
    member: Any, after: tuple[datetime, int] | None, limit: int
) -> list[Dialogue]:
    """The LIMIT newest dialogues of MEMBER's connections after AFTER (one query)."""
    dialogues = dialogues_of_connections(member)
    if after is not None:
        dialogues = dialogues.filter(
            Q(published_at__lt=after[0]) | Q(published_at=after[0], id__lt=after[1])
        )
    return list(dialogues[:limit])


def home_feed(
    member: Any, *, cursor: str | None = None, limit: int = PAGE_SIZE
) -> FeedPage:
    """Return one page of MEMBER's home feed after CURSOR: posts of their communities
    and dialogues of their connections, merged newest first."""
    position = decode_cursor(cursor) if cursor else None
    posts_after = dialogues_after = None
    if position is not None:
        # In the merged order a dialogue comes before a post of the same moment.
        if position.kind == "post":
            posts_after = (position.moment, position.item_id)
            dialogues_after = (position.moment, 0)
        else:
            posts_after = (position.moment, ID_BEYOND)
            dialogues_after = (position.moment, position.item_id)
    items: list[FeedItem] = [
        *_posts_after(member, posts_after, limit + 1),
        *_dialogues_after(member, dialogues_after, limit + 1),
    ]
    items.sort(key=_sort_key, reverse=True)
    items = items[: limit + 1]
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    return FeedPage(items=items[:limit], next_cursor=next_cursor)

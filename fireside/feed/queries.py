"""The home feed: posts of the member's communities, newest first, read with a keyset cursor
(no OFFSET, so a page costs the same however deep it is)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from fireside.communities.models import Membership
from fireside.core.exceptions import ValidationFailed
from fireside.posts.models import Post

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


def home_feed(
    member: Any, *, cursor: str | None = None, limit: int = PAGE_SIZE
) -> FeedPage:
    """Return one page of MEMBER's home feed after CURSOR."""
    communities = (
        Membership.objects.active().filter(member=member).values("community_id")
    )
    posts = (
        Post.objects.live()
        .filter(community_id__in=communities)
        .select_related("community", "author")
        .prefetch_related("topics")
        .order_by("-created_at", "-id")
    )
    if cursor:
        created_at, post_id = decode_cursor(cursor)
        posts = posts.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=post_id)
        )
    items = list(posts[: limit + 1])
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    return FeedPage(items=items[:limit], next_cursor=next_cursor)

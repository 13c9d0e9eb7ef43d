"""The public directory: listed communities found by words and topic, in name, newest or
relevance order, read a page at a time with a signed cursor (keyset for name and newest)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.core import signing
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.dateparse import parse_datetime

from fireside.communities.models import Community, CommunityQuerySet, Topic
from fireside.core.exceptions import ValidationFailed
from fireside.core.topics import TOPIC_MAX_LENGTH, TOPIC_PATTERN, normalize_topic
from fireside.search import fulltext

PAGE_SIZE = 20
CURSOR_SALT = "fireside.communities.directory"

Sort = Literal["name", "newest", "relevance"]


@dataclass(frozen=True)
class DirectoryPage:
    items: list[Community]
    next_cursor: str | None


def _damaged_cursor() -> ValidationFailed:
    return ValidationFailed(
        {"cursor": ["This page link is damaged. Start again from the first page."]},
        code="invalid_cursor",
    )


def _decode_cursor(cursor: str, sort: Sort) -> list[Any]:
    try:
        position = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        raise _damaged_cursor() from None
    # A cursor is only good for the order that made it.
    if not isinstance(position, list) or not position or position[0] != sort:
        raise _damaged_cursor()
    return position[1:]


def _encode_cursor(sort: Sort, *position: Any) -> str:
    return signing.dumps([sort, *position], salt=CURSOR_SALT)


def topic_named(raw: str) -> Topic:
    """Return the topic RAW names (in any spelling), or raise naming `topic`."""
    name = normalize_topic(raw)
    is_topic = len(name) <= TOPIC_MAX_LENGTH and TOPIC_PATTERN.fullmatch(name)
    topic = Topic.objects.filter(name=name).first() if is_topic else None
    if topic is None:
        raise ValidationFailed(
            {
                "topic": [
                    f"The topic “{raw.strip()[:40]}” does not exist. "
                    "Pick one from the topic index."
                ]
            }
        )
    return topic


def find_communities(
    *,
    q: str = "",
    topic: str = "",
    sort: Sort | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> DirectoryPage:
    """Return one page of listed communities matching the words Q and the TOPIC.

    SORT defaults to relevance when Q has words and to name otherwise; relevance without
    words falls back to name. Raises ValidationFailed naming `topic` for a topic that does
    not exist and `cursor` (code invalid_cursor) for a cursor this function did not make.
    """
    communities = Community.objects.listed()
    if topic.strip():
        communities = communities.filter(topics=topic_named(topic))
    words = q.strip()
    ranked_ids: list[int] = []
    if words:
        ranked_ids = fulltext.search_ids("community", words)
        communities = communities.filter(pk__in=ranked_ids)
    if sort is None or (sort == "relevance" and not words):
        sort = "relevance" if words else "name"
    position = _decode_cursor(cursor, sort) if cursor else None
    if sort == "relevance":
        return _by_relevance(communities, ranked_ids, position, limit)
    if sort == "newest":
        return _by_newest(communities, position, limit)
    return _by_name(communities, position, limit)


def _page(
    items: list[Community], limit: int, cursor_of: Callable[[Community], str]
) -> tuple[list[Community], str | None]:
    if len(items) > limit:
        return items[:limit], cursor_of(items[limit - 1])
    return items, None


def _by_name(
    communities: CommunityQuerySet, position: list[Any] | None, limit: int
) -> DirectoryPage:
    ordered = communities.annotate(sort_name=Lower("name")).order_by("sort_name", "id")
    if position is not None:
        try:
            name, last_id = position
            if not isinstance(name, str) or not isinstance(last_id, int):
                raise TypeError
        except (TypeError, ValueError):
            raise _damaged_cursor() from None
        ordered = ordered.filter(
            Q(sort_name__gt=name) | Q(sort_name=name, id__gt=last_id)
        )
    rows = list(ordered.prefetch_related("topics")[: limit + 1])
    items, next_cursor = _page(
        rows,
        limit,
        lambda last: _encode_cursor(
            "name",
            last.sort_name,  # type: ignore[attr-defined]
            last.pk,
        ),
    )
    return DirectoryPage(items=items, next_cursor=next_cursor)


def _by_newest(
    communities: CommunityQuerySet, position: list[Any] | None, limit: int
) -> DirectoryPage:
    ordered = communities.order_by("-created_at", "-id")
    if position is not None:
        try:
            created_text, last_id = position
            created_at = parse_datetime(created_text)
            if created_at is None or not isinstance(last_id, int):
                raise TypeError
        except (TypeError, ValueError):
            raise _damaged_cursor() from None
        ordered = ordered.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=last_id)
        )
    rows = list(ordered.prefetch_related("topics")[: limit + 1])
    items, next_cursor = _page(
        rows,
        limit,
        lambda last: _encode_cursor("newest", last.created_at.isoformat(), last.pk),
    )
    return DirectoryPage(items=items, next_cursor=next_cursor)


def _by_relevance(
    communities: CommunityQuerySet,
    ranked_ids: list[int],
    position: list[Any] | None,
    limit: int,
) -> DirectoryPage:
    # The search answers at most a few hundred ids, best first: the cursor is a place in
    # that ranking, and the page keeps the ranking's order.
    offset = 0
    if position is not None:
        if len(position) != 1 or not isinstance(position[0], int) or position[0] < 0:
            raise _damaged_cursor()
        offset = position[0]
    rank = {community_id: place for place, community_id in enumerate(ranked_ids)}
    matching = sorted(communities.values_list("pk", flat=True), key=rank.__getitem__)
    page_ids = matching[offset : offset + limit]
    found = communities.prefetch_related("topics").in_bulk(page_ids)
    items = [found[community_id] for community_id in page_ids if community_id in found]
    next_cursor = (
        _encode_cursor("relevance", offset + limit)
        if len(matching) > offset + limit
        else None
    )
    return DirectoryPage(items=items, next_cursor=next_cursor)

"""Reading posts: search within a community or across the listed ones."""

from typing import Any

from fireside.communities.models import Community
from fireside.posts.models import Post
from fireside.safety.queries import hidden_authors
from fireside.search import fulltext

#: How many matches a search shows, best first.
SEARCH_LIMIT = 30


def search_posts(
    viewer: Any,
    query: str,
    *,
    community: Community | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[Post]:
    """Return the live posts matching QUERY that VIEWER may read, best match first.

    With COMMUNITY, search only there; without, search every listed community (an unlisted
    community's posts are found only from inside it).
    """
    scope = Post.objects.live()
    if community is not None:
        # Within one community the search itself is scoped: its posts must not lose
        # their place among the newest matches of busier communities.
        scope = scope.filter(community=community)
    ids = fulltext.search_ids("post", query, among=scope if community else None)
    if not ids:
        return []
    readable = (
        Post.objects.visible_to(viewer)
        .filter(pk__in=ids)
        .exclude(hidden_authors(viewer))  # muted or blocked by VIEWER
    )
    if community is not None:
        readable = readable.filter(community=community)
    else:
        readable = readable.filter(community__is_listed=True)
    # Keep the search's ranking, and load the full rows of the shown ones only.
    allowed = set(readable.values_list("pk", flat=True))
    shown = [post_id for post_id in ids if post_id in allowed][:limit]
    posts = (
        Post.objects.filter(pk__in=shown)
        .select_related("community", "author")
        .prefetch_related("topics")
        .in_bulk()
    )
    return [posts[post_id] for post_id in shown]

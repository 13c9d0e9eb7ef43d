"""The home feed in the JSON API: what the member chose, newest first, nothing suggested."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from fireside.accounts.authentication import member_auth, request_member
from fireside.feed.actions import mark_feed_seen
from fireside.feed.queries import home_feed
from fireside.posts.api import PostSummaryOut
from fireside.posts.models import Post

router = Router(tags=["feed"])


class FeedPostOut(PostSummaryOut):
    """A post of a community the member joined. Later kinds (dialogues of connections,
    conversations awaiting the member's turn) carry their own `type`."""

    type: Literal["post"]

    @staticmethod
    def resolve_type(post: Post) -> str:
        return "post"


class FeedPageOut(Schema):
    items: list[FeedPostOut]
    next: str | None
    #: The end of the member's previous visit (first page only; null on a first visit).
    since: datetime | None


@router.get("feed", response=FeedPageOut, auth=member_auth)
def feed(request: HttpRequest, cursor: str | None = None) -> dict[str, Any]:
    """The member's home: new posts of the communities they joined, newest first, 20 a
    page. Pass `next` as `cursor` for the following page."""
    member = request_member(request)
    page = home_feed(member, cursor=cursor)
    # Only the first page is a visit; reading further back does not move the marker.
    since = None if cursor else mark_feed_seen(member)
    return {"items": page.items, "next": page.next_cursor, "since": since}

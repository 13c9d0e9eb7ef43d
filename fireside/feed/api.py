"""The home feed in the JSON API: what the member chose, newest first, nothing suggested."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from fireside.accounts.authentication import member_auth, request_member
from fireside.dialogues.models import Dialogue
from fireside.feed.actions import mark_feed_seen
from fireside.feed.queries import FeedItem, home_feed
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


class FeedCommunityOut(Schema):
    slug: str
    name: str


class FeedMemberOut(Schema):
    handle: str
    display_name: str


class FeedDialogueOut(Schema):
    """A dialogue published by people the member keeps in touch with (either of the two
    who talked is a connection): `participants` are the two."""

    type: Literal["dialogue"]
    id: int
    title: str
    community: FeedCommunityOut
    participants: list[FeedMemberOut]
    post: int | None
    published_at: datetime


#: Told apart by `type`; a post fails FeedDialogueOut and a dialogue FeedPostOut.
FeedItemOut = FeedPostOut | FeedDialogueOut


def _item_out(item: FeedItem) -> Post | dict[str, Any]:
    """A post as is (FeedPostOut reads it); a dialogue as the fields of FeedDialogueOut."""
    if not isinstance(item, Dialogue):
        return item
    return {
        "type": "dialogue",
        "id": item.pk,
        "title": item.display_title,
        "community": {"slug": item.community.slug, "name": item.community.name},
        "participants": [
            {"handle": person.handle, "display_name": person.display_name}
            for person in item.participants()
        ],
        "post": item.post_id,
        "published_at": item.published_at,
    }


class FeedPageOut(Schema):
    """`type` tells the kinds of item apart: `post` or `dialogue`."""

    items: list[FeedItemOut]
    next: str | None
    #: The end of the member's previous visit (first page only; null on a first visit).
    since: datetime | None


@router.get("feed", response=FeedPageOut, auth=member_auth)
def feed(request: HttpRequest, cursor: str | None = None) -> dict[str, Any]:
    """The member's home: new posts of the communities they joined and dialogues of
    their connections, newest first, 20 a page. Pass `next` as `cursor` for the
    following page."""
    member = request_member(request)
    page = home_feed(member, cursor=cursor)
    # Only the first page is a visit; reading further back does not move the marker.
    since = None if cursor else mark_feed_seen(member)
    items = [_item_out(item) for item in page.items]
    return {"items": items, "next": page.next_cursor, "since": since}

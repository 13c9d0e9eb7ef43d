"""Ratings and Highlights in the JSON API. A rating is private: the API returns only the
caller's own, and Highlights carry a status in words, never a tally."""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator
from ninja import Router, Schema

from fireside.accounts.authentication import (
    member_auth,
    optional_member_auth,
    request_member,
    request_viewer,
)
from fireside.accounts.models import Member
from fireside.communities.actions import SLUG_PATTERN
from fireside.communities.models import Community
from fireside.dialogues.models import Dialogue
from fireside.posts.models import Post
from fireside.ratings import actions, queries
from fireside.ratings.models import Rating

router = Router(tags=["ratings"])

EXCERPT_LENGTH = 280
HELPFUL_LABEL = "Found helpful across perspectives"


class TargetIn(Schema):
    type: Literal["post", "dialogue"]
    id: int


class RatingIn(Schema):
    target: TargetIn
    value: Literal["helpful", "somewhat", "not_helpful"]
    tags: list[str] | None = None


class RatingOut(Schema):
    """The caller's own rating of one item."""

    target: TargetIn
    value: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class PersonOut(Schema):
    handle: str
    display_name: str


class HighlightOut(Schema):
    """One item of a community's Highlights. `status` is `helpful` (found helpful across
    perspectives; `label` then says so in words) or `needs_more_ratings`."""

    type: Literal["post", "dialogue"]
    id: int
    title: str
    excerpt: str
    url: str
    authors: list[PersonOut]
    created_at: datetime | None
    status: str
    label: str | None


class HighlightsOut(Schema):
    items: list[HighlightOut]
    #: Pass as `offset` for the next page; null at the end.
    next: int | None


def _target(viewer: Member, kind: str, target_id: int) -> Post | Dialogue:
    if kind == "post":
        return get_object_or_404(
            Post.objects.visible_to(viewer).select_related("community"), pk=target_id
        )
    if kind == "dialogue":
        return get_object_or_404(
            Dialogue.objects.visible_to(viewer).select_related(
                "community", "conversation"
            ),
            pk=target_id,
        )
    raise Http404


def _rating_out(rating: Rating) -> RatingOut:
    kind = rating.target_type
    target_id = rating.post_id if rating.post_id else rating.dialogue_id
    return RatingOut(
        target=TargetIn(type=kind, id=int(target_id or 0)),  # type: ignore[arg-type]
        value=rating.value,
        tags=list(rating.tags),
        created_at=rating.created_at,
        updated_at=rating.updated_at,
    )


@router.put("ratings", response=RatingOut, auth=member_auth)
def put_rating(request: HttpRequest, payload: RatingIn) -> RatingOut:
    """Rate a post or dialogue of a community you belong to (trust level 1 and up), or
    change your rating. Optional reason tags: clear, sourced, changed_my_mind (with helpful
    or somewhat); off_topic, hostile, misleading (with not_helpful or somewhat)."""
    member = request_member(request)
    target = _target(member, payload.target.type, payload.target.id)
    rating = actions.rate(target, by=member, value=payload.value, tags=payload.tags)
    return _rating_out(rating)


@router.get("ratings/{kind}/{target_id}", response=RatingOut, auth=member_auth)
def get_rating(request: HttpRequest, kind: str, target_id: int) -> RatingOut:
    """Your own rating of a post or dialogue (404 if you have not rated it)."""
    member = request_member(request)
    rating = queries.own_rating(member, _target(member, kind, target_id))
    if rating is None:
        raise Http404
    return _rating_out(rating)


@router.delete("ratings/{kind}/{target_id}", response={204: None}, auth=member_auth)
def delete_rating(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    """Withdraw your rating of a post or dialogue (204 whether or not there was one)."""
    member = request_member(request)
    actions.withdraw_rating(_target(member, kind, target_id), by=member)
    return HttpResponse(status=204)


def _excerpt(text: str) -> str:
    return Truncator(" ".join(text[: EXCERPT_LENGTH * 2].split())).chars(EXCERPT_LENGTH)


def _highlight_out(item: queries.Highlight) -> dict[str, Any]:
    label = HELPFUL_LABEL if item.is_helpful else None
    if item.post is not None:
        post = item.post
        authors = [post.author] if post.author else []
        return {
            "type": "post",
            "id": post.pk,
            "title": post.title,
            "excerpt": _excerpt(post.body),
            "url": f"/p/{post.pk}/",
            "authors": authors,
            "created_at": post.created_at,
            "status": item.status,
            "label": label,
        }
    dialogue = item.dialogue
    assert dialogue is not None
    return {
        "type": "dialogue",
        "id": dialogue.pk,
        "title": dialogue.display_title,
        "excerpt": "",
        "url": f"/d/{dialogue.pk}/",
        "authors": dialogue.participants(),
        "created_at": dialogue.published_at,
        "status": item.status,
        "label": label,
    }


@router.get(
    "communities/{slug}/highlights", response=HighlightsOut, auth=optional_member_auth
)
def community_highlights(
    request: HttpRequest, slug: str, offset: int = 0
) -> dict[str, Any]:
    """A community's posts and dialogues ranked by the bridging score: those found
    helpful across perspectives first (`status: "helpful"`), then the others with
    enough ratings. Never a count of ratings. 30 a page."""
    viewer = request_viewer(request)
    if not SLUG_PATTERN.fullmatch(slug) or offset < 0:
        raise Http404
    communities = Community.objects.visible_to(viewer).with_member(viewer)
    community = get_object_or_404(communities, slug=slug)
    if community.is_private and not community.is_member:  # type: ignore[attr-defined]
        raise Http404
    page = queries.highlights(community, viewer, offset=offset)
    return {
        "items": [_highlight_out(item) for item in page.items],
        "next": page.next_offset,
    }

"""Posts in the JSON API: a community's posts, one post with its history, and search.
A post carries no reply, like or view count; readers talk to its author one to one."""

from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator
from ninja import Router, Schema, Status

from fireside.accounts.authentication import (
    member_auth,
    optional_member_auth,
    request_member,
    request_viewer,
)
from fireside.accounts.models import Member
from fireside.communities import listings
from fireside.communities.actions import SLUG_PATTERN
from fireside.communities.models import Community
from fireside.core.exceptions import ValidationFailed
from fireside.core.text import render_markdown
from fireside.dialogues.payloads import post_dialogue_summaries
from fireside.posts import actions, permissions
from fireside.posts.models import Post, PostQuerySet, PostRevision
from fireside.posts.queries import search_posts as find_posts

router = Router(tags=["posts"])

EXCERPT_LENGTH = 280


class CommunityRefOut(Schema):
    slug: str
    name: str


class AuthorOut(Schema):
    handle: str
    display_name: str


class PostSummaryOut(Schema):
    """A post in a list. `excerpt` is the opening of the Markdown source, as plain text."""

    id: int
    community: CommunityRefOut
    author: AuthorOut | None
    title: str
    excerpt: str
    topics: list[str]
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_excerpt(post: Post) -> str:
        text = " ".join(post.body[: EXCERPT_LENGTH * 2].split())
        return Truncator(text).chars(EXCERPT_LENGTH)

    @staticmethod
    def resolve_topics(post: Post) -> list[str]:
        return [topic.name for topic in post.topics.all()]


class PostPageOut(Schema):
    items: list[PostSummaryOut]
    next: str | None


class SearchResultsOut(Schema):
    items: list[PostSummaryOut]
    next: None


class PostOut(Schema):
    id: int
    community: CommunityRefOut
    author: AuthorOut | None
    title: str
    body: str
    body_html: str
    topics: list[str]
    created_at: datetime
    edited_at: datetime | None
    can_edit: bool
    can_delete: bool
    #: The dialogues published under the post that the viewer may read, newest first:
    #: `{id, community, post, title, participants, published_at}` each.
    dialogues: list[dict[str, Any]]


class PostIn(Schema):
    title: str
    body: str
    topics: list[str] | str = []


class PostPatchIn(Schema):
    title: str | None = None
    body: str | None = None
    topics: list[str] | str | None = None


class RevisionOut(Schema):
    title: str
    body: str
    body_html: str
    written_at: datetime
    replaced_at: datetime

    @staticmethod
    def resolve_body_html(revision: PostRevision) -> str:
        return str(render_markdown(revision.body))


def _readable_community(viewer: Member | None, slug: str) -> Community:
    """The community whose posts VIEWER may read: request and invite communities keep
    their posts to members, so anyone else is answered 404 as if there were none."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise Http404
    communities = Community.objects.visible_to(viewer).with_member(viewer)
    community = get_object_or_404(communities, slug=slug)
    if community.is_private and not community.is_member:  # type: ignore[attr-defined]
        raise Http404
    return community


def _with_context(posts: PostQuerySet) -> PostQuerySet:
    return posts.select_related("community", "author").prefetch_related("topics")


def _post_out(post: Post, viewer: Member | None) -> PostOut:
    return PostOut(
        id=post.pk,
        community=CommunityRefOut(slug=post.community.slug, name=post.community.name),
        author=(
            AuthorOut(handle=post.author.handle, display_name=post.author.display_name)
            if post.author is not None
            else None
        ),
        title=post.title,
        body=post.body,
        body_html=str(render_markdown(post.body)),
        topics=[topic.name for topic in post.topics.all()],
        created_at=post.created_at,
        edited_at=post.edited_at,
        can_edit=permissions.can_edit_post(viewer, post),
        can_delete=permissions.can_delete_post(viewer, post),
        dialogues=post_dialogue_summaries(post, viewer),
    )


def _own_or_visible(member: Member) -> PostQuerySet:
    # An author may still edit or delete a post after leaving its private community.
    return Post.objects.visible_to(member) | Post.objects.live().filter(author=member)


@router.get("communities/{slug}/posts", response=PostPageOut, auth=optional_member_auth)
def community_posts(
    request: HttpRequest, slug: str, cursor: str | None = None
) -> dict[str, Any]:
    """A community's posts, newest first, 20 a page; `next` is the cursor of the next."""
    viewer = request_viewer(request)
    community = _readable_community(viewer, slug)
    page = listings.community_posts(community, viewer=viewer, cursor=cursor)
    prefetch_related_objects(page.items, "community", "topics")
    return {"items": page.items, "next": page.next_cursor}


@router.post("communities/{slug}/posts", response={201: PostOut}, auth=member_auth)
def create_post(request: HttpRequest, slug: str, payload: PostIn) -> Status[PostOut]:
    """Open a post (Markdown body) in a community one belongs to."""
    member = request_member(request)
    if not SLUG_PATTERN.fullmatch(slug):
        raise Http404
    community = get_object_or_404(Community.objects.visible_to(member), slug=slug)
    post = actions.create_post(
        community,
        by=member,
        title=payload.title,
        body=payload.body,
        topics=payload.topics,
    )
    return Status(201, _post_out(post, member))


@router.get("posts/{post_id}", response=PostOut, auth=optional_member_auth)
def post_detail(request: HttpRequest, post_id: int) -> PostOut:
    """One post, its Markdown rendered safe, with the dialogues published under it."""
    viewer = request_viewer(request)
    post = get_object_or_404(_with_context(Post.objects.visible_to(viewer)), pk=post_id)
    return _post_out(post, viewer)


@router.patch("posts/{post_id}", response=PostOut, auth=member_auth)
def edit_post(request: HttpRequest, post_id: int, payload: PostPatchIn) -> PostOut:
    """Change one's own post within 24 hours of opening it; the old words become a
    revision. Fields left out stay as they are."""
    member = request_member(request)
    post = get_object_or_404(_with_context(_own_or_visible(member)), pk=post_id)
    post = actions.edit_post(post, by=member, **payload.dict(exclude_unset=True))
    return _post_out(post, member)


@router.delete("posts/{post_id}", response={204: None}, auth=member_auth)
def delete_post(request: HttpRequest, post_id: int) -> Status[None]:
    """Delete one's own post for real; conversations that began from it stay."""
    member = request_member(request)
    post = get_object_or_404(_own_or_visible(member), pk=post_id)
    actions.delete_post(post, by=member)
    return Status(204, None)


@router.get(
    "posts/{post_id}/revisions",
    response=list[RevisionOut],
    auth=optional_member_auth,
)
def post_revisions(request: HttpRequest, post_id: int) -> list[PostRevision]:
    """The earlier words of a post, newest first, for whoever may read the post."""
    post = get_object_or_404(
        Post.objects.visible_to(request_viewer(request)), pk=post_id
    )
    return list(post.revisions.all())


@router.get("search/posts", response=SearchResultsOut, auth=optional_member_auth)
def search_posts(
    request: HttpRequest, q: str = "", community: str | None = None
) -> dict[str, Any]:
    """Posts matching the words `q`, best first: across the listed communities the viewer
    may read, or within one `community`."""
    words = q.strip()
    if not words:
        raise ValidationFailed({"q": ["Type at least one word to search for."]})
    viewer = request_viewer(request)
    within = _readable_community(viewer, community) if community else None
    return {"items": find_posts(viewer, words, community=within), "next": None}

"""Every change to posts: open, edit (with history), delete."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from fireside.communities.actions import topics_named
from fireside.communities.models import Community
from fireside.communities.permissions import check_post_in
from fireside.core.exceptions import ValidationFailed
from fireside.core.topics import parse_topics
from fireside.moderation.permissions import check_not_restricted
from fireside.posts import permissions
from fireside.posts.models import Post, PostRevision
from fireside.search import fulltext
from fireside.trust import limits

TITLE_MAX = 200
BODY_MAX = 20000
TOPICS_MAX = 5


def _clean(
    errors: dict[str, list[str]],
    *,
    title: str | None,
    body: str | None,
    topics: str | list[str] | None,
) -> list[str] | None:
    if title is not None:
        if not title.strip():
            errors["title"] = ["Give the post a title."]
        elif len(title.strip()) > TITLE_MAX:
            errors["title"] = [f"A title can have at most {TITLE_MAX} characters."]
        elif "\x00" in title:  # PostgreSQL refuses NUL in text
            errors["title"] = ["A title cannot contain the NUL character."]
    if body is not None:
        if not body.strip():
            errors["body"] = ["Write something in the post."]
        elif len(body.strip()) > BODY_MAX:
            errors["body"] = [
                f"A post can have at most {BODY_MAX} characters; this one has {len(body.strip())}."
            ]
        elif "\x00" in body:
            errors["body"] = ["A post cannot contain the NUL character."]
    if topics is None:
        return None
    names, problems = parse_topics(topics, limit=TOPICS_MAX)
    if problems:
        errors["topics"] = problems
    return names


def _reindex(post: Post, topic_names: list[str]) -> None:
    fulltext.index(
        "post", post.pk, title=post.title, body=post.body, topics=topic_names
    )


def create_post(
    community: Community,
    *,
    by: Any,
    title: str,
    body: str,
    topics: str | list[str] = "",
) -> Post:
    """Open a post in COMMUNITY; its active members may, unless muted, suspended or
    banned there (moderation)."""
    check_not_restricted(by, community, doing="post")
    check_post_in(by, community)
    errors: dict[str, list[str]] = {}
    topic_names = _clean(errors, title=title, body=body, topics=topics) or []
    if errors:
        raise ValidationFailed(errors)
    limits.check_post_links(by, community, title=title, body=body)
    limits.spend(by, "posts")
    with transaction.atomic():
        post = Post.objects.create(
            community=community, author=by, title=title.strip(), body=body.strip()
        )
        post.topics.set(topics_named(topic_names))
        _reindex(post, topic_names)
    _federate("post_published", post)
    return post


def _federate(kind: str, post: Post) -> None:
    """Tell remote followers after commit (fireside/federation/outbox.py); free while
    federation is off."""
    from fireside.federation import outbox

    outbox.on_commit(kind, post.pk)


def edit_post(
    post: Post,
    *,
    by: Any,
    title: str | None = None,
    body: str | None = None,
    topics: str | list[str] | None = None,
) -> Post:
    """Change a post within the edit window, keeping its earlier words as a revision."""
    permissions.check_edit_post(by, post)
    check_not_restricted(by, post.community, doing="edit posts")
    errors: dict[str, list[str]] = {}
    topic_names = _clean(errors, title=title, body=body, topics=topics)
    if errors:
        raise ValidationFailed(errors)
    limits.check_post_links(by, post.community, title=title or "", body=body or "")
    now = timezone.now()
    with transaction.atomic():
        new_title = title.strip() if title is not None else post.title
        new_body = body.strip() if body is not None else post.body
        if (new_title, new_body) != (post.title, post.body):
            PostRevision.objects.create(
                post=post,
                title=post.title,
                body=post.body,
                written_at=post.edited_at or post.created_at,
                replaced_at=now,
            )
            post.title, post.body, post.edited_at = new_title, new_body, now
            post.save(update_fields=["title", "body", "edited_at"])
        if topic_names is not None:
            post.topics.set(topics_named(topic_names))
        names = (
            topic_names
            if topic_names is not None
            else [t.name for t in post.topics.all()]
        )
        _reindex(post, names)
        if post.edited_at == now:
            _federate("post_edited", post)
    return post


def delete_post(post: Post, *, by: Any) -> None:
    """Delete a post's words and history for real. The row stays as a tombstone so that
    conversations that began from it keep their place."""
    permissions.check_delete_post(by, post)
    with transaction.atomic():
        post.revisions.all().delete()
        post.topics.clear()
        post.title = ""
        post.body = ""
        post.deleted_at = timezone.now()
        post.save(update_fields=["title", "body", "deleted_at"])
        fulltext.unindex("post", post.pk)
        _federate("post_deleted", post)

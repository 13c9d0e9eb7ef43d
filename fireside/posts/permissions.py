"""Who may change a post. Reading is `Post.objects.visible_to`."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fireside.core.exceptions import NotAllowed
from fireside.posts.models import Post

#: How long after opening a post its author may still change its words.
EDIT_WINDOW = timedelta(hours=24)


def can_edit_post(member: Any, post: Post) -> bool:
    return (
        member is not None
        and member.is_authenticated
        and post.author_id == member.pk
        and not post.is_deleted
        and timezone.now() - post.created_at <= EDIT_WINDOW
    )


def check_edit_post(member: Any, post: Post) -> None:
    if post.author_id != getattr(member, "pk", None):
        raise NotAllowed("Only the author may edit a post.", code="not_author")
    if timezone.now() - post.created_at > EDIT_WINDOW:
        raise NotAllowed(
            "Posts can be edited for 24 hours after they are opened. This one is older.",
            code="edit_window_closed",
        )


def can_delete_post(member: Any, post: Post) -> bool:
    return (
        member is not None and member.is_authenticated and post.author_id == member.pk
    )


def check_delete_post(member: Any, post: Post) -> None:
    if not can_delete_post(member, post):
        raise NotAllowed("Only the author may delete a post.", code="not_author")

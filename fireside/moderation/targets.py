"""Finding what a report is about, through what the reporter may see: a target they cannot
see is missing, never forbidden."""

from typing import Any

from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.conversations.models import Conversation, Message
from fireside.core.exceptions import NotFound
from fireside.posts.models import Post


class TargetNotFound(NotFound):
    def __init__(self, field: str, message: str) -> None:
        self.errors = {field: [message]}
        super().__init__(message)


def find_target(reporter: Any, kind: str, target_id: int) -> Post | Member | Message:
    """Return the post, member or message KIND TARGET_ID that REPORTER may see, or raise
    TargetNotFound naming `target`."""
    if kind == "post":
        post = Post.objects.visible_to(reporter).filter(pk=target_id).first()
        if post is not None:
            return post
        raise TargetNotFound("target", "There is no such post, or you cannot see it.")
    if kind == "member":
        member = Member.objects.visible_to(reporter).filter(pk=target_id).first()
        if member is not None:
            return member
        raise TargetNotFound("target", "There is no such member.")
    if kind == "message":
        mine = Conversation.objects.visible_to(reporter)
        message = (
            Message.objects.filter(conversation__in=mine, pk=target_id)
            .select_related("conversation", "conversation__post__community", "author")
            .first()
        )
        if message is not None:
            return message
        raise TargetNotFound(
            "target",
            "There is no such message in your conversations. You can only report a "
            "message from a conversation you take part in.",
        )
    raise TargetNotFound("target", "Report a post, a member or a message.")


def find_community(reporter: Any, slug: str) -> Community:
    """Return the community SLUG that REPORTER may see, or raise naming `community`."""
    community = Community.objects.visible_to(reporter).filter(slug=slug[:50]).first()
    if community is None:
        raise TargetNotFound("community", f"There is no community “{slug[:50]}”.")
    return community

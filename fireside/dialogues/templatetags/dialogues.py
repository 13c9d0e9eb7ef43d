"""Inclusion tags that let other apps' pages show dialogues with one line each. They only
read, through `visible_to` (or `involving`, for a conversation's own members)."""

from typing import Any

from django import template

from fireside.dialogues import permissions, queries
from fireside.dialogues.notices import notice_text

register = template.Library()


@register.inclusion_tag("dialogues/post_dialogues.html", takes_context=True)
def post_dialogues(context: dict[str, Any], post: Any) -> dict[str, Any]:
    return {"dialogues": queries.post_dialogues(post, context["user"]), "post": post}


@register.inclusion_tag("dialogues/community_dialogues.html", takes_context=True)
def community_dialogues(context: dict[str, Any], community: Any) -> dict[str, Any]:
    return {
        "dialogues": list(
            queries.community_dialogues(community, context["user"], limit=5)
        ),
        "community": community,
    }


@register.inclusion_tag("dialogues/conversation_dialogues.html", takes_context=True)
def conversation_dialogues(
    context: dict[str, Any], conversation: Any
) -> dict[str, Any]:
    member = context["user"]
    return {
        "conversation": conversation,
        "dialogues": queries.conversation_dialogues(conversation, member),
        "can_propose": permissions.can_propose_dialogue(member, conversation),
        "user": member,
    }


@register.inclusion_tag("dialogues/dialogue_notices.html", takes_context=True)
def dialogue_notices(context: dict[str, Any]) -> dict[str, Any]:
    notices = queries.unread_notices(context["user"])
    return {
        "notices": [(notice, notice_text(notice)) for notice in notices],
    }

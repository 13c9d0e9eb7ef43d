"""`{% rating_control post %}` and `{% helpful_notices %}`: the rating form under a post or
dialogue, and a member's private helpful notices, for pages owned by other apps."""

from typing import Any

from django import template

from fireside.core.exceptions import NotAllowed
from fireside.dialogues.models import Dialogue
from fireside.posts.models import Post
from fireside.ratings import permissions, queries
from fireside.ratings.models import (
    NEGATIVE_TAGS,
    POSITIVE_TAGS,
    TAGS,
    HelpfulNotice,
    RatingValue,
)

register = template.Library()

#: Unread notices shown at once on the home page.
NOTICES_SHOWN = 5


def control_context(user: Any, target: Post | Dialogue) -> dict[str, Any]:
    """What the rating control shows VIEWER for TARGET: their own choice, never a tally."""
    kind = "post" if isinstance(target, Post) else "dialogue"
    is_own = (
        target.author_id == getattr(user, "pk", None)
        if isinstance(target, Post)
        else target.is_participant(user)
    )
    refusal = None
    rating = None
    if user is not None and user.is_authenticated and not is_own:
        rating = queries.own_rating(user, target)
        try:
            permissions.check_rate(user, target)
        except NotAllowed as error:
            refusal = error.message
    chosen_tags = list(rating.tags) if rating else []
    return {
        "target": target,
        "kind": kind,
        "is_own": is_own,
        "rating": rating,
        "refusal": refusal,
        "values": RatingValue.choices,
        "positive_tags": list(POSITIVE_TAGS.items()),
        "negative_tags": list(NEGATIVE_TAGS.items()),
        "chosen_tags": chosen_tags,
        "chosen_tag_labels": [TAGS[tag] for tag in chosen_tags if tag in TAGS],
        "community": target.community,
    }


@register.inclusion_tag("ratings/rating_control.html", takes_context=True)
def rating_control(
    context: template.Context, target: Post | Dialogue
) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        **control_context(user, target),
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("ratings/helpful_notices.html", takes_context=True)
def helpful_notices(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    notices = list(
        HelpfulNotice.objects.visible_to(user)
        .unread()
        .select_related(
            "post",
            "community",
            "dialogue__post",
            "dialogue__conversation__initiator",
            "dialogue__conversation__recipient",
        )[:NOTICES_SHOWN]
    )
    return {"notices": notices, "csrf_token": context.get("csrf_token")}

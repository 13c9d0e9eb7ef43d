"""Who may offer to keep in touch with whom. `check_*` raise with a reason."""

from typing import Any

from django.db.models import Exists, OuterRef

from fireside.conversations.models import Conversation, Message
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.safety.models import Block


def have_both_written(one: Any, other: Any) -> bool:
    """Whether ONE and OTHER had a conversation in which each wrote at least once."""
    wrote = Message.objects.filter(conversation=OuterRef("pk"))
    return (
        Conversation.objects.between(one, other)
        .filter(Exists(wrote.filter(author=one)), Exists(wrote.filter(author=other)))
        .exists()
    )


def check_offer_connection(by: Any, to: Any) -> None:
    """Raise unless BY may offer to keep in touch with TO: not oneself, no block either
    way, and a conversation between them in which both wrote."""
    if by.pk == to.pk:
        raise ValidationFailed(
            {"handle": ["You cannot keep in touch with yourself."]}, code="self"
        )
    if not to.is_active:
        raise NotAllowed("This member's account is closed.", code="inactive")
    if Block.objects.filter(blocker=by, blocked=to).exists():
        raise NotAllowed(
            f"You blocked @{to.handle}. Unblock them first.", code="you_blocked"
        )
    if Block.objects.filter(blocker=to, blocked=by).exists():
        raise NotAllowed(f"@{to.handle} does not take offers from you.", code="blocked")
    if not have_both_written(by, to):
        raise NotAllowed(
            f"You can offer to keep in touch after a conversation in which you and "
            f"@{to.handle} both wrote.",
            code="not_talked",
        )


def can_offer_connection(by: Any, to: Any) -> bool:
    try:
        check_offer_connection(by, to)
    except (NotAllowed, ValidationFailed):
        return False
    return True

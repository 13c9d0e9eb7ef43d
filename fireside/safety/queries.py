"""What blocks and mutes hide from the member who made them."""

from typing import Any

from django.db.models import Q

from fireside.safety.models import Block, Mute


def hidden_authors(viewer: Any) -> Q:
    """Return a filter matching the posts whose author VIEWER muted or blocked, for
    `.exclude()`; it matches nothing for anonymous visitors."""
    if viewer is None or not viewer.is_authenticated:
        return Q(pk__in=[])
    muted = Mute.objects.filter(muter=viewer).values("muted_id")
    blocked = Block.objects.filter(blocker=viewer).values("blocked_id")
    return Q(author_id__in=muted) | Q(author_id__in=blocked)


def hidden_dialogues(viewer: Any) -> Q:
    """Return a filter matching the dialogues in which someone VIEWER muted or blocked
    took part, for `.exclude()`; it matches nothing for anonymous visitors."""
    if viewer is None or not viewer.is_authenticated:
        return Q(pk__in=[])
    muted = Mute.objects.filter(muter=viewer).values("muted_id")
    blocked = Block.objects.filter(blocker=viewer).values("blocked_id")
    return (
        Q(conversation__initiator_id__in=muted)
        | Q(conversation__recipient_id__in=muted)
        | Q(conversation__initiator_id__in=blocked)
        | Q(conversation__recipient_id__in=blocked)
    )


#: The same as hidden_authors, for raw SQL: the ids of the members whose posts a viewer
#: muted or blocked. Takes the viewer's id twice as parameters.
HIDDEN_AUTHORS_SQL = (
    f"SELECT muted_id FROM {Mute._meta.db_table} WHERE muter_id = %s "
    f"UNION SELECT blocked_id FROM {Block._meta.db_table} WHERE blocker_id = %s"
)

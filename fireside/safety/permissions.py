"""Questions about blocks and mutes that pages ask. `can_*` answer, never raise."""

from typing import Any

from fireside.safety.models import Block, Mute


def has_blocked(member: Any, other: Any) -> bool:
    """Whether MEMBER blocked OTHER (False when either is missing or anonymous)."""
    if not _both_members(member, other):
        return False
    return Block.objects.filter(blocker=member, blocked=other).exists()


def has_muted(member: Any, other: Any) -> bool:
    """Whether MEMBER muted OTHER (False when either is missing or anonymous)."""
    if not _both_members(member, other):
        return False
    return Mute.objects.filter(muter=member, muted=other).exists()


def can_see_talk_entry(viewer: Any, member: Any) -> bool:
    """Whether pages offer VIEWER a "Talk 1:1" with MEMBER: never to someone MEMBER
    blocked, nor to someone who blocked MEMBER (they would be refused)."""
    if not _both_members(viewer, member):
        return True
    return not Block.objects.between(viewer, member).exists()


def _both_members(one: Any, other: Any) -> bool:
    return bool(
        one is not None
        and other is not None
        and getattr(one, "is_authenticated", False)
        and getattr(other, "pk", None) is not None
        and one.pk != other.pk
    )

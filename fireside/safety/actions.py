"""Blocking and muting. Reports live in fireside.moderation (they open cases)."""

from typing import Any

from django.db import IntegrityError, transaction

from fireside.core.exceptions import DomainError, ValidationFailed
from fireside.safety.models import Block, Mute


def block_member(target: Any, *, by: Any) -> Block:
    """Block TARGET for BY: every open conversation between them ends at once, for both,
    and TARGET can no longer ask BY for one. Blocking again changes nothing."""
    from fireside.connections.actions import end_connection_for_block
    from fireside.conversations.actions import end_conversations_between

    if target.pk == by.pk:
        raise ValidationFailed({"handle": ["You cannot block yourself."]})
    with transaction.atomic():
        block = Block.objects.filter(blocker=by, blocked=target).first()
        if block is None:
            try:
                with transaction.atomic():
                    block = Block.objects.create(blocker=by, blocked=target)
            except IntegrityError:
                block = Block.objects.get(blocker=by, blocked=target)
        end_conversations_between(by, target)
        # A block ends a keep-in-touch connection and any offer, for both.
        end_connection_for_block(by, target)
    return block


def unblock_member(target: Any, *, by: Any) -> None:
    """Lift BY's block of TARGET; conversations that ended stay ended."""
    deleted, _ = Block.objects.filter(blocker=by, blocked=target).delete()
    if not deleted:
        raise DomainError(f"You have not blocked @{target.handle}.", code="not_blocked")


def mute_member(target: Any, *, by: Any) -> Mute:
    """Mute TARGET for BY: their posts leave BY's feed, community lists and search, and a
    post page asks before showing one. TARGET is not told. Muting again changes nothing."""
    if target.pk == by.pk:
        raise ValidationFailed({"handle": ["You cannot mute yourself."]})
    mute = Mute.objects.filter(muter=by, muted=target).first()
    if mute is None:
        try:
            with transaction.atomic():
                mute = Mute.objects.create(muter=by, muted=target)
        except IntegrityError:  # muted a moment ago by another request
            mute = Mute.objects.get(muter=by, muted=target)
    return mute


def unmute_member(target: Any, *, by: Any) -> None:
    """Lift BY's mute of TARGET: their posts show again."""
    deleted, _ = Mute.objects.filter(muter=by, muted=target).delete()
    if not deleted:
        raise DomainError(f"You have not muted @{target.handle}.", code="not_muted")

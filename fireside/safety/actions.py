"""Blocking. Reports come with the trust-and-safety issue."""

from typing import Any

from django.db import IntegrityError, transaction

from fireside.core.exceptions import DomainError, ValidationFailed
from fireside.safety.models import Block


def block_member(target: Any, *, by: Any) -> Block:
    """Block TARGET for BY: every open conversation between them ends at once, for both,
    and TARGET can no longer ask BY for one. Blocking again changes nothing."""
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
    return block


def unblock_member(target: Any, *, by: Any) -> None:
    """Lift BY's block of TARGET; conversations that ended stay ended."""
    deleted, _ = Block.objects.filter(blocker=by, blocked=target).delete()
    if not deleted:
        raise DomainError(f"You have not blocked @{target.handle}.", code="not_blocked")

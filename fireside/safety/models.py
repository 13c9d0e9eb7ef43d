from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class BlockQuerySet(models.QuerySet["Block"]):
    def between(self, one: object, other: object) -> "BlockQuerySet":
        """Blocks in either direction between two members."""
        return self.filter(
            Q(blocker=one, blocked=other) | Q(blocker=other, blocked=one)
        )


class Block(models.Model):
    """BLOCKER never hears from BLOCKED again: no requests, no messages, and any
    conversation between them ends."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks_received",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = BlockQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class MuteQuerySet(models.QuerySet["Mute"]):
    def by(self, member: Any) -> "MuteQuerySet":
        return self.filter(muter=member)


class Mute(models.Model):
    """MUTER no longer sees MUTED's posts (a calm placeholder on a post page says so).
    Nothing else changes, and MUTED is not told."""

    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes_made"
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MuteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="mute_unique"),
            models.CheckConstraint(
                condition=~Q(muter=models.F("muted")), name="mute_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.muter} mutes {self.muted}"

from django.conf import settings
from django.db import models
from django.utils import timezone


class ActiveDay(models.Model):
    """One row per member per (UTC) day on which they used Fireside, pages or API.

    Written at most once a day per member (see trust/activity.py), so it stays cheap; the
    trust signal "days active" is the number of rows."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="active_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} active on {self.day}"


class TrustChange(models.Model):
    """A member's trust level changed. `by` is null for automatic recomputation and for an
    operator's `set_trust` (whose reason says so). A manual change (operator or cohort)
    binds recomputation: see trust/levels.py `settle_level`."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust_changes"
    )
    from_level = models.PositiveSmallIntegerField()
    to_level = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_manual = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-changed_at"], name="trust_change_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_level} → {self.to_level}"

    @property
    def is_raise(self) -> bool:
        return self.to_level > self.from_level

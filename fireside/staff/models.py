"""What the instance's administrators (staff) did to accounts site-wide: suspensions, each
with who decided it and why, and when and by whom it was lifted."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AccountSuspensionQuerySet(models.QuerySet["AccountSuspension"]):
    def current(self) -> "AccountSuspensionQuerySet":
        """Suspensions not lifted yet."""
        return self.filter(lifted_at__isnull=True)

    def visible_to(self, member: Any) -> "AccountSuspensionQuerySet":
        """Return the suspensions MEMBER may read: all of them for staff, none otherwise
        (a suspended member cannot log in to read theirs)."""
        if member is None or not member.is_authenticated or not member.is_staff:
            return self.none()
        return self.all()


class AccountSuspension(models.Model):
    """A site-wide suspension: while it holds, the account cannot log in, its sessions are
    gone, its API tokens revoked and its sockets closed (accounts.actions.suspend_account).
    Lifting it (restore_account) keeps the row, so the history stays readable."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_suspensions",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.TextField(max_length=1000)
    at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AccountSuspensionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(lifted_at__isnull=True),
                name="account_suspension_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"Suspension of {self.member_id} ({'lifted' if self.lifted_at else 'current'})"

    @property
    def is_current(self) -> bool:
        return self.lifted_at is None

"""What a member asked for about the data that is theirs: exports (a zip of everything that
is theirs, built in the background, downloadable for 7 days) and deletions (the account
goes for real once a 14-day grace period ends, unless the member cancels)."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExportQuerySet(models.QuerySet["Export"]):
    def visible_to(self, member: Any) -> "ExportQuerySet":
        """MEMBER's own exports; nobody else's."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(member=member)

    def in_progress(self) -> "ExportQuerySet":
        """Exports queued or being built, and not abandoned (a worker that died leaves one
        behind: after STUCK_AFTER it no longer blocks a new one)."""
        return self.filter(
            state__in=[Export.State.QUEUED, Export.State.BUILDING],
            requested_at__gt=timezone.now() - Export.STUCK_AFTER,
        )

    def latest_first(self) -> "ExportQuerySet":
        return self.order_by("-requested_at", "-id")


class Export(models.Model):
    """One zip of everything that is a member's (yourdata/archive.py builds it).

    Transitions (yourdata/actions.py makes them):
        queued → building → ready → expired (7 days after ready; the file is deleted)
        queued | building → failed
    A ready export past `expires_at` reads as expired before the daily tidy-up marks it."""

    class State(models.TextChoices):
        QUEUED = "queued", "waiting to start"
        BUILDING = "building", "being built"
        READY = "ready", "ready to download"
        EXPIRED = "expired", "expired"
        FAILED = "failed", "failed"

    #: A queued or building export older than this has been abandoned.
    STUCK_AFTER = timedelta(hours=1)

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    #: 0–100, how far the build got.
    progress = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    #: The zip's name inside settings.EXPORT_ROOT; empty until ready and once deleted.
    file_name = models.CharField(max_length=200, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    #: Random, part of every download link, so a link never outlives its export (a new
    #: export with a reused id could not be reached by an old link).
    nonce = models.CharField(max_length=32)

    objects = ExportQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["member", "-requested_at"], name="export_by_member"),
            models.Index(fields=["state", "expires_at"], name="export_expiry"),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} of member {self.member_id} ({self.state})"

    @property
    def current_state(self) -> str:
        """The state as it is now: a ready export past its 7 days is expired even before
        the tidy-up marks it; an abandoned build has failed."""
        now = timezone.now()
        if (
            self.state == self.State.READY
            and self.expires_at
            and self.expires_at <= now
        ):
            return str(self.State.EXPIRED)
        if (
            self.state in (self.State.QUEUED, self.State.BUILDING)
            and self.requested_at <= now - self.STUCK_AFTER
        ):
            return str(self.State.FAILED)
        return str(self.state)

    @property
    def is_in_progress(self) -> bool:
        return self.current_state in (self.State.QUEUED, self.State.BUILDING)

    @property
    def is_ready(self) -> bool:
        return self.current_state == self.State.READY


class DeletionQuerySet(models.QuerySet["Deletion"]):
    def pending(self) -> "DeletionQuerySet":
        return self.filter(cancelled_at__isnull=True)

    def due(self, at: datetime | None = None) -> "DeletionQuerySet":
        """Pending deletions whose grace period is over."""
        return self.pending().filter(final_at__lte=at or timezone.now())

    def visible_to(self, member: Any) -> "DeletionQuerySet":
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(member=member)


class Deletion(models.Model):
    """A member asked for their account to be deleted. Until `final_at` they can cancel
    (the account works as usual, with a banner); then the account and what is theirs are
    deleted for real (yourdata/actions.py `delete_account`), and this row goes with it.

    Transitions: pending → cancelled | (finalised: the row is deleted with the member)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    final_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = DeletionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(cancelled_at__isnull=True),
                name="deletion_one_pending",
            )
        ]
        indexes = [models.Index(fields=["final_at"], name="deletion_due")]

    def __str__(self) -> str:
        return f"Deletion of member {self.member_id} on {self.final_at:%Y-%m-%d}"

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None

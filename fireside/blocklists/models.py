"""Shared blocklists: a cohort's list of handles with reasons, which it may publish so that
other cohorts can subscribe. A subscription screens joins: members on the list are refused
or put in the join queue, as the subscribing cohort chose. Entries are a cohort tool: no
ordinary member ever sees them."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fireside.communities.models import Community, Membership


def _cohort_communities(member: Any) -> models.QuerySet[Membership, Any]:
    return Membership.objects.cohort().filter(member=member).values("community_id")


def is_in_any_cohort(member: Any) -> bool:
    if member is None or not member.is_authenticated:
        return False
    return Membership.objects.cohort().filter(member=member).exists()


class BlocklistQuerySet(models.QuerySet["Blocklist"]):
    def published(self) -> "BlocklistQuerySet":
        return self.filter(is_published=True)

    def owned_by_cohort_of(self, member: Any) -> "BlocklistQuerySet":
        """Lists of the communities whose cohort MEMBER belongs to."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(community_id__in=_cohort_communities(member))

    def visible_to(self, member: Any) -> "BlocklistQuerySet":
        """Return the lists MEMBER may read: their own cohorts' lists, and published lists
        when MEMBER moderates somewhere (or administers the instance). Nobody else sees
        any list, so an ordinary member never learns whether they are on one."""
        if member is None or not member.is_authenticated:
            return self.none()
        own = Q(community_id__in=_cohort_communities(member))
        if member.is_staff or is_in_any_cohort(member):
            return self.filter(own | Q(is_published=True))
        return self.filter(own)


class Blocklist(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="blocklists"
    )
    name = models.CharField(max_length=80)
    description = models.TextField(max_length=1000, blank=True, default="")
    #: Published lists appear in the directory of lists for every cohort.
    is_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = BlocklistQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="blocklist_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.community})"


class BlocklistEntry(models.Model):
    blocklist = models.ForeignKey(
        Blocklist, on_delete=models.CASCADE, related_name="entries"
    )
    #: None once the account is gone; the handle snapshot keeps the entry readable.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handle = models.CharField(max_length=30)
    reason = models.TextField(max_length=500)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["handle", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["blocklist", "handle"], name="blocklist_entry_unique_handle"
            )
        ]
        indexes = [models.Index(fields=["member"], name="blocklist_entry_member")]

    def __str__(self) -> str:
        return f"@{self.handle} on {self.blocklist.name}"


class BlocklistSubscription(models.Model):
    class Mode(models.TextChoices):
        REFUSE = "refuse", "Refuse their request to join"
        QUEUE = "queue", "Put their request in the join queue for review"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="blocklist_subscriptions"
    )
    blocklist = models.ForeignKey(
        Blocklist, on_delete=models.CASCADE, related_name="subscriptions"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.QUEUE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "blocklist"], name="blocklist_subscription_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} uses {self.blocklist.name} ({self.mode})"


class ScreenedJoin(models.Model):
    """A join that a subscribed list refused or queued, for the cohort to look back on."""

    class Outcome(models.TextChoices):
        REFUSED = "refused", "refused"
        QUEUED = "queued", "queued for review"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="screened_joins"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocklist = models.ForeignKey(
        Blocklist, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.outcome} at {self.community}"

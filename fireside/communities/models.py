from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


class Topic(models.Model):
    """A topic tag shared by communities and posts ("board-games"); see core/topics.py."""

    name = models.CharField(max_length=30, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommunityQuerySet(models.QuerySet["Community"]):
    def listed(self) -> "CommunityQuerySet":
        """Communities the directory shows: all but those their cohort hides."""
        return self.filter(is_listed=True)

    def visible_to(self, viewer: Any) -> "CommunityQuerySet":
        """Return the communities VIEWER may open: listed ones (name and description are
        public even for request and invite communities) and unlisted ones they belong to."""
        if viewer is None or not viewer.is_authenticated:
            return self.listed()
        return self.filter(Q(is_listed=True) | Q(pk__in=_member_of(viewer)))

    def with_member(self, member: Any) -> "CommunityQuerySet":
        """Annotate `is_member` for MEMBER (False for anonymous visitors)."""
        if member is None or not member.is_authenticated:
            return self.annotate(is_member=models.Value(False))
        return self.annotate(
            is_member=Exists(
                Membership.objects.active().filter(
                    community=OuterRef("pk"), member=member
                )
            )
        )


def _member_of(member: Any) -> models.QuerySet["Membership", Any]:
    return Membership.objects.active().filter(member=member).values("community_id")


class Community(models.Model):
    class Visibility(models.TextChoices):
        OPEN = "open", "Open: anyone may join"
        REQUEST = "request", "By request: the cohort approves each join"
        INVITE = "invite", "By invitation only"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(max_length=2000)
    topics = models.ManyToManyField(Topic, related_name="communities", blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    is_listed = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "communities"
        indexes = [models.Index(fields=["-created_at", "-id"], name="community_newest")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_private(self) -> bool:
        """Request and invite communities show their posts to members only."""
        return self.visibility != self.Visibility.OPEN

    def current_rules(self) -> models.QuerySet["Rule"]:
        return self.rules.filter(superseded_at__isnull=True).order_by("number")


class Rule(models.Model):
    """One numbered rule. An edit supersedes the old row instead of changing it, so the
    history of what the rules said (and when) stays readable."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="rules"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "number"],
                condition=Q(superseded_at__isnull=True),
                name="rule_one_current_per_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:40]}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        return self.filter(state=Membership.State.ACTIVE)

    def requested(self) -> "MembershipQuerySet":
        return self.filter(state=Membership.State.REQUESTED)

    def cohort(self) -> "MembershipQuerySet":
        return self.active().filter(
            role__in=[Membership.Role.LEAD, Membership.Role.MODERATOR]
        )


class Membership(models.Model):
    """A member's place in a community: a request waiting for the cohort, or active with a
    role. The cohort is the active memberships with role lead or moderator."""

    class State(models.TextChoices):
        REQUESTED = "requested", "requested"
        ACTIVE = "active", "active"

    class Role(models.TextChoices):
        MEMBER = "member", "member"
        MODERATOR = "moderator", "moderator"
        LEAD = "lead", "lead"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    request_note = models.CharField(max_length=500, blank=True, default="")
    requested_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "member"], name="membership_unique"
            )
        ]
        indexes = [
            models.Index(fields=["member", "state"], name="membership_by_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.community} ({self.state}, {self.role})"

    @property
    def is_cohort(self) -> bool:
        return self.state == self.State.ACTIVE and self.role in {
            self.Role.LEAD,
            self.Role.MODERATOR,
        }


class Invite(models.Model):
    """A single-use, expiring invitation link to a community."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="invites"
    )
    code = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invite to {self.community}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
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
    #: Cohort settings (the lead changes them). The public moderation log names the
    #: cohort member who acted only when this is on; by default it says "the cohort".
    log_shows_handles = models.BooleanField(default=False)
    #: New cases are assigned to the cohort's moderators in turn, to share the load.
    round_robin = models.BooleanField(default=False)

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

    def by_seniority(self) -> "MembershipQuerySet":
        """Longest-serving first: by the date the role was taken (or the member joined)."""
        return self.annotate(
            served_from=Coalesce("role_since", "joined_at", "requested_at")
        ).order_by("served_from", "id")


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
    #: When the member took their current cohort role (None for plain members, and for
    #: cohort places made before this field: `cohort_since` falls back to joined_at).
    role_since = models.DateTimeField(null=True, blank=True)

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

    @property
    def cohort_since(self) -> Any:
        return self.role_since or self.joined_at or self.requested_at


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


class CohortInvitationQuerySet(models.QuerySet["CohortInvitation"]):
    def open(self) -> "CohortInvitationQuerySet":
        """Invitations nobody has answered (or withdrawn) yet."""
        return self.filter(answered_at__isnull=True)


class CohortInvitation(models.Model):
    """The lead asks a member to moderate; the member accepts or declines. Lead duty is
    never given by invitation: it passes by handover (actions.hand_over_lead)."""

    class Role(models.TextChoices):
        MODERATOR = "moderator", "moderator"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="cohort_invitations"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MODERATOR)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    #: None while open (or when withdrawn by the lead), then the invitee's answer.
    accepted = models.BooleanField(null=True, blank=True)

    objects = CohortInvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "member"],
                condition=Q(answered_at__isnull=True),
                name="cohort_invitation_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} invited to moderate {self.community}"


class CohortEvent(models.Model):
    """One change to a cohort, kept so everyone can see how the cohort came to be."""

    class Kind(models.TextChoices):
        JOINED = "joined", "joined the cohort"
        HANDED_OVER = "handed_over", "became lead by handover"
        SUCCEEDED = "succeeded", "became lead when the previous lead left"
        STEPPED_DOWN = "stepped_down", "stepped down"
        REMOVED = "removed", "was removed from the cohort by the lead"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="cohort_events"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} in {self.community}"

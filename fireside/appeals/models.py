"""Appeals: the affected member's request to review a moderation action, once per action.

An appeal goes to a cohort member of the action's community who neither proposed nor
confirmed it (the assignee), or, when there is none, to the instance's administrators
(assignee None). The assignee decides: the action stands, or it is overturned.

States: open → stands | overturned (appeals/actions.py makes every transition)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fireside.communities.models import Membership


class AppealQuerySet(models.QuerySet["Appeal"]):
    def open(self) -> "AppealQuerySet":
        return self.filter(state=Appeal.State.OPEN)

    def by(self, member: Any) -> "AppealQuerySet":
        return self.filter(appellant=member)

    def for_administrators(self) -> "AppealQuerySet":
        """Appeals the instance's administrators decide (no cohort member could)."""
        return self.filter(assignee__isnull=True)

    def visible_to(self, member: Any) -> "AppealQuerySet":
        """Return the appeals MEMBER may read: their own; those about actions in the
        communities whose cohort they belong to; and, for staff, those assigned to the
        instance's administrators. Anyone else learns nothing (404)."""
        if member is None or not member.is_authenticated:
            return self.none()
        cohort_of = (
            Membership.objects.cohort().filter(member=member).values("community_id")
        )
        allowed = Q(appellant=member) | Q(action__community_id__in=cohort_of)
        if member.is_staff:
            allowed |= Q(assignee__isnull=True)
        return self.filter(allowed)


class Appeal(models.Model):
    """The affected member's request to review one action (each action is appealed at
    most once). `assignee` None means the instance's administrators decide."""

    class State(models.TextChoices):
        OPEN = "open", "waiting for a decision"
        STANDS = "stands", "the action stands"
        OVERTURNED = "overturned", "the action was overturned"

    #: The outcomes a decision may have (the states an open appeal moves to).
    OUTCOMES = (State.STANDS, State.OVERTURNED)

    action = models.OneToOneField(
        "moderation.ModAction", on_delete=models.CASCADE, related_name="appeal"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals"
    )
    reason = models.TextField(max_length=1000)
    #: The cohort member who decides; None: the instance's administrators.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals_assigned",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assignee", "state"], name="appeal_by_assignee"),
            models.Index(
                fields=["appellant", "-created_at"], name="appeal_by_appellant"
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal {self.pk} of action {self.action_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_for_administrators(self) -> bool:
        return self.assignee_id is None

    @property
    def state_in_words(self) -> str:
        return self.get_state_display()

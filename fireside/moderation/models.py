"""Cases and reports: what a community's cohort (or the instance's administrators) review.

Reports group into cases by target: every report about the same post, member or message in
the same community joins the one open case about it. A case belongs to a community's cohort,
or, with no community, to the instance's administrators. The queue, claiming, actions and
appeals build on these rows (issue 6)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fireside.communities.models import Community, Membership


class CaseQuerySet(models.QuerySet["Case"]):
    def unresolved(self) -> "CaseQuerySet":
        """Cases still waiting for a decision: open or claimed."""
        return self.filter(state__in=Case.UNRESOLVED)

    def visible_to(self, member: Any) -> "CaseQuerySet":
        """Return the cases MEMBER may read: their community cohorts' cases, and the cases
        without a community when MEMBER is one of the instance's administrators (staff).
        A reporter follows their own reports (Report.objects.visible_to), not the case."""
        if member is None or not member.is_authenticated:
            return self.none()
        cohort_of = (
            Membership.objects.cohort().filter(member=member).values("community_id")
        )
        allowed = Q(community_id__in=cohort_of)
        if member.is_staff:
            allowed |= Q(community__isnull=True)
        return self.filter(allowed)


class Case(models.Model):
    """Everything reported about one target in one place, reviewed together.

    States: open → claimed → resolved (issue 6 adds reopening, actions and appeals)."""

    class State(models.TextChoices):
        OPEN = "open", "open"
        CLAIMED = "claimed", "claimed"
        RESOLVED = "resolved", "resolved"

    class TargetType(models.TextChoices):
        POST = "post", "post"
        MEMBER = "member", "member"
        MESSAGE = "message", "message"

    UNRESOLVED = (State.OPEN, State.CLAIMED)

    #: None: the instance's administrators review it (private messages, members reported
    #: without a community).
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cases",
    )
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    # The target itself, for showing it later; SET_NULL so a case outlives what it is about.
    post = models.ForeignKey(
        "posts.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.ForeignKey(
        "conversations.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The member the case is about: the reported member, or the author of the post or
    #: message. Never told who reported them.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_about",
    )
    #: A short description of the target at the time the case opened ("@handle", a post's
    #: title), so the case still reads when the target is gone.
    target_label = models.CharField(max_length=200, blank=True, default="")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    #: Round-robin assignment (a cohort's choice): whose turn it is to look first.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: A moderator asked another for a second opinion; cleared when someone gives it.
    second_opinion_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    second_opinion_asked_at = models.DateTimeField(null=True, blank=True)
    #: When the case was assigned (round-robin prefers whoever waited longest).
    assigned_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One unresolved case per target per community (NULLs are distinct, so the
            # administrators' cases need their own constraint).
            models.UniqueConstraint(
                fields=["community", "target_type", "target_id"],
                condition=Q(state__in=["open", "claimed"], community__isnull=False),
                name="case_one_unresolved_per_target",
            ),
            models.UniqueConstraint(
                fields=["target_type", "target_id"],
                condition=Q(state__in=["open", "claimed"], community__isnull=True),
                name="case_one_unresolved_per_target_admins",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "state", "-opened_at"], name="case_queue"
            ),
        ]

    def __str__(self) -> str:
        where = self.community.slug if self.community else "administrators"
        return f"Case {self.pk}: {self.target_type} {self.target_id} ({where})"

    @property
    def is_for_administrators(self) -> bool:
        return self.community_id is None

    @property
    def state_in_words(self) -> str:
        return {
            self.State.OPEN: "Waiting for a reviewer",
            self.State.CLAIMED: "Being reviewed",
            self.State.RESOLVED: "Reviewed and closed",
        }.get(self.State(self.state), str(self.state))


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, member: Any) -> "ReportQuerySet":
        """Return the reports MEMBER may read: their own, and those in cases they review."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(
            Q(reporter=member) | Q(case__in=Case.objects.visible_to(member))
        )

    def by(self, member: Any) -> "ReportQuerySet":
        return self.filter(reporter=member)


class Report(models.Model):
    """One member's (or the system's) report joined to a case. The reported member is never
    told who reported them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    #: None for a report the system files (pile-on protection, for example).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_made",
    )
    #: The community rule it breaks; None for the administrators' cases and system reports.
    rule_number = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The rule's words at the time of the report (rules are superseded, not edited).
    rule_text = models.CharField(max_length=500, blank=True, default="")
    reason = models.TextField(max_length=1000)
    #: What the reviewers may see: for a message, the cited message and its neighbours
    #: (author handle, seq, body, sent_at) and nothing else of the conversation.
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reporter"],
                condition=Q(reporter__isnull=False),
                name="report_one_per_reporter_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["reporter", "-created_at"], name="report_by_reporter")
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on case {self.case_id}"


class CaseNote(models.Model):
    """An internal note on a case: seen by the cohort (or administrators) only. Reopening
    a case, asking for and giving a second opinion leave a note too."""

    class Kind(models.TextChoices):
        NOTE = "note", "note"
        SECOND_OPINION_ASKED = "second_opinion_asked", "asked for a second opinion"
        SECOND_OPINION = "second_opinion", "second opinion"
        REOPENED = "reopened", "reopened"
        TAKEN_OVER = "taken_over", "took over the case"
        RESOLVED = "resolved", "resolved"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices, default=Kind.NOTE)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on case {self.case_id} ({self.kind})"


class ModActionQuerySet(models.QuerySet["ModAction"]):
    def in_force(self, at: Any = None) -> "ModActionQuerySet":
        """Actions that hold now: confirmed (or needing no confirmation), not overturned,
        and, for those with a period, not over."""
        at = at or timezone.now()
        return self.filter(state=ModAction.State.IN_FORCE).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at)
        )

    def pending(self, at: Any = None) -> "ModActionQuerySet":
        """Actions waiting for a second cohort member and still in time for one. A pending
        row older than PENDING_FOR has lapsed, whether or not the task marked it yet."""
        at = at or timezone.now()
        return self.filter(
            state=ModAction.State.PENDING, proposed_at__gt=at - ModAction.PENDING_FOR
        )

    def overdue(self, at: Any = None) -> "ModActionQuerySet":
        """Pending rows whose time ran out, not yet marked lapsed."""
        at = at or timezone.now()
        return self.filter(
            state=ModAction.State.PENDING, proposed_at__lte=at - ModAction.PENDING_FOR
        )

    def logged(self) -> "ModActionQuerySet":
        """What the public log shows: actions that took effect (overturned ones too),
        except dismissals, whose reasons talk about reports rather than a decision."""
        return self.filter(
            state__in=[ModAction.State.IN_FORCE, ModAction.State.OVERTURNED],
            in_force_at__isnull=False,
        ).exclude(kind=ModAction.Kind.DISMISS)

    def against(self, member: Any) -> "ModActionQuerySet":
        """Actions about MEMBER that they are told of (a dismissal is about nobody)."""
        return self.filter(subject=member).exclude(kind=ModAction.Kind.DISMISS)

    def restricting(
        self, member: Any, community: Any, kinds: Any = None
    ) -> "ModActionQuerySet":
        """MEMBER's restrictions in force in COMMUNITY (mute, suspend, ban by default)."""
        kinds = kinds or ModAction.RESTRICTIONS
        return self.in_force().filter(
            subject=member, community=community, kind__in=kinds
        )


class ModAction(models.Model):
    """What a cohort member (or an administrator) did: always citing a numbered rule and a
    reason, which the affected member is told.

    Severe actions (TWO_PERSON_KINDS, a suspension longer than 7 days, hiding a post older
    than 24 hours) start `pending` and take effect only when a second cohort member
    confirms; the proposer cannot confirm their own. A pending action nobody confirms
    lapses after 72 hours. An action in force can be overturned (an upheld appeal, or the
    cohort reversing it after peer review)."""

    class Kind(models.TextChoices):
        DISMISS = "dismiss", "dismissed the reports"
        HIDE = "hide", "hid content"
        WARN = "warn", "warned"
        MUTE = "mute", "muted in the community"
        SUSPEND = "suspend", "suspended from the community"
        BAN = "ban", "banned from the community"
        GRANT_LEADER = "grant_leader", "granted trust level 4"
        REVOKE_LEADER = "revoke_leader", "revoked trust level 4"

    class State(models.TextChoices):
        PENDING = "pending", "waiting for a second cohort member"
        IN_FORCE = "in_force", "in force"
        LAPSED = "lapsed", "lapsed unconfirmed"
        OVERTURNED = "overturned", "overturned"

    RESTRICTIONS = (Kind.MUTE, Kind.SUSPEND, Kind.BAN)
    #: Kinds that always need a second cohort member.
    TWO_PERSON_KINDS = (Kind.BAN,)
    #: A suspension longer than this many days needs a second cohort member.
    SUSPEND_DAYS_ALONE = 7
    #: Hiding a post older than this needs a second cohort member.
    HIDE_ALONE_WITHIN = timedelta(hours=24)
    #: A pending action nobody confirms within this lapses.
    PENDING_FOR = timedelta(hours=72)
    #: Kinds that count as upheld against their subject (trust and standing).
    SANCTIONS = (Kind.HIDE, Kind.WARN, Kind.MUTE, Kind.SUSPEND, Kind.BAN)

    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    #: None: an administrators' action (a case without a community).
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    #: The member affected (None only for a dismissal).
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_actions_about",
    )
    #: The hidden post, for `hide`.
    post = models.ForeignKey(
        "posts.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
    )
    rule_number = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The rule's words when the action was taken (rules can be edited later).
    rule_text = models.CharField(max_length=500, blank=True, default="")
    reason = models.TextField(max_length=1000)
    #: The period of a mute or suspension; None for a ban (until lifted) and the rest.
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: When it took effect (confirmation, or at once for actions needing no second person).
    in_force_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    overturned_at = models.DateTimeField(null=True, blank=True)
    overturned_reason = models.TextField(max_length=1000, blank=True, default="")

    objects = ModActionQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(
                fields=["community", "subject", "state"], name="modaction_restrictions"
            ),
            models.Index(fields=["community", "-proposed_at"], name="modaction_log"),
            models.Index(fields=["state", "proposed_at"], name="modaction_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.state}) in {self.community_id or 'the instance'}"

    @property
    def current_state(self) -> str:
        """The state as it is now: a pending action past its 72 hours has lapsed even
        before the task marks it."""
        if (
            self.state == self.State.PENDING
            and self.proposed_at <= timezone.now() - self.PENDING_FOR
        ):
            return self.State.LAPSED
        return str(self.state)

    @property
    def current_state_display(self) -> str:
        return self.State(self.current_state).label

    @property
    def lapses_at(self) -> Any:
        return self.proposed_at + self.PENDING_FOR

    @property
    def has_ended(self) -> bool:
        """A mute or suspension whose period is over."""
        return self.ends_at is not None and self.ends_at <= timezone.now()


class NoticeQuerySet(models.QuerySet["Notice"]):
    def unread(self) -> "NoticeQuerySet":
        return self.filter(read_at__isnull=True)

    def visible_to(self, member: Any) -> "NoticeQuerySet":
        """A member's own notices only."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(member=member)


class Notice(models.Model):
    """An in-app moderation notice for one member: an action about them (with its rule
    and reason), or, for cohort members, a case assigned to them or a second opinion
    asked for."""

    class Kind(models.TextChoices):
        ACTION = "action", "an action about you"
        OVERTURNED = "overturned", "an action about you was overturned"
        APPEAL_STANDS = "appeal_stands", "your appeal was decided: the action stands"
        ASSIGNED = "assigned", "a case was assigned to you"
        SECOND_OPINION = "second_opinion", "a second opinion was asked for"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="moderation_notices",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    action = models.ForeignKey(
        ModAction, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="notice_by_member")
        ]

    def __str__(self) -> str:
        return f"Notice to {self.member_id}: {self.kind}"

"""Ratings of posts and dialogues, and the bridging scores computed from them.

A rating points at exactly one post or one dialogue (two nullable foreign keys and a check
constraint). Its community is copied onto the row, so a community's scorer reads its
ratings with one indexed filter. Nothing here is ever shown as a number: ratings only
feed the bridging scorer, and its scores only order a community's Highlights.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fireside.communities.models import Community

#: Reason tags a rater may add. Positive tags go with helpful or somewhat, negative ones
#: with not helpful or somewhat (somewhat may carry either: it is a mixed judgement).
POSITIVE_TAGS = {
    "clear": "clear",
    "sourced": "sourced",
    "changed_my_mind": "changed my mind",
}
NEGATIVE_TAGS = {
    "off_topic": "off-topic",
    "hostile": "hostile",
    "misleading": "misleading",
}
TAGS = {**POSITIVE_TAGS, **NEGATIVE_TAGS}


class TargetType(models.TextChoices):
    POST = "post", "post"
    DIALOGUE = "dialogue", "dialogue"


class RatingValue(models.TextChoices):
    HELPFUL = "helpful", "Helpful"
    SOMEWHAT = "somewhat", "Somewhat helpful"
    NOT_HELPFUL = "not_helpful", "Not helpful"


#: What each value counts as in the bridging model (Community Notes: 1, 0.5, 0).
VALUE_SCORES = {
    RatingValue.HELPFUL: 1.0,
    RatingValue.SOMEWHAT: 0.5,
    RatingValue.NOT_HELPFUL: 0.0,
}

_ONE_TARGET = (Q(post__isnull=False) & Q(dialogue__isnull=True)) | (
    Q(post__isnull=True) & Q(dialogue__isnull=False)
)


class RatingQuerySet(models.QuerySet["Rating"]):
    def by(self, member: Any) -> "RatingQuerySet":
        """Return MEMBER's own ratings (none for anonymous visitors). Ratings of others are
        never read by a page or the API: only the scorer and the operator's export see
        them."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(rater=member)

    def of_community(self, community: Any) -> "RatingQuerySet":
        return self.filter(community=community)


class Rating(models.Model):
    """One member's judgement of one post or dialogue. Rating again changes the row."""

    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="ratings"
    )
    post = models.ForeignKey(
        "posts.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ratings",
    )
    dialogue = models.ForeignKey(
        "dialogues.Dialogue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ratings",
    )
    value = models.CharField(max_length=12, choices=RatingValue.choices)
    #: Reason tags, a list of keys of TAGS (validated in actions.rate).
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RatingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="rating_one_target"),
            models.CheckConstraint(
                condition=Q(value__in=RatingValue.values), name="rating_value_known"
            ),
            models.UniqueConstraint(
                fields=["rater", "post"],
                condition=Q(post__isnull=False),
                name="rating_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["rater", "dialogue"],
                condition=Q(dialogue__isnull=False),
                name="rating_once_per_dialogue",
            ),
        ]

    def __str__(self) -> str:
        return f"Rating by {self.rater_id} of {self.item_id}"

    @property
    def target_type(self) -> str:
        return TargetType.POST if self.post_id else TargetType.DIALOGUE

    @property
    def item_id(self) -> str:
        return item_id_of(self.post_id, self.dialogue_id)


def item_id_of(post_id: int | None, dialogue_id: int | None) -> str:
    """The scorer's (and the export's) name for a target: "post:12" or "dialogue:3"."""
    if post_id is not None:
        return f"{TargetType.POST}:{post_id}"
    return f"{TargetType.DIALOGUE}:{dialogue_id}"


class ItemScore(models.Model):
    """The bridging scorer's latest result for one rated post or dialogue. Rewritten on
    every run of `tasks.score_community`; what Highlights orders by."""

    class Status(models.TextChoices):
        HELPFUL = "helpful", "found helpful across perspectives"
        NOT_HELPFUL = "not_helpful", "not helpful"
        NEEDS_MORE_RATINGS = "needs_more_ratings", "needs more ratings"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="item_scores"
    )
    post = models.OneToOneField(
        "posts.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="score",
    )
    dialogue = models.OneToOneField(
        "dialogues.Dialogue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="score",
    )
    #: The item's intercept and factor in the fit; None when it was left out of the fit
    #: (fewer than 5 ratings from raters with at least 10).
    intercept = models.FloatField(null=True, blank=True)
    factor = models.FloatField(null=True, blank=True)
    #: Kept for the scorer's own checks and operators; never shown to anyone.
    n_ratings = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEEDS_MORE_RATINGS
    )
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="item_score_one_target")
        ]
        indexes = [
            models.Index(
                fields=["community", "status", "-intercept"], name="item_score_rank"
            )
        ]

    def __str__(self) -> str:
        return f"Score of {self.item_id}: {self.status}"

    @property
    def item_id(self) -> str:
        return item_id_of(self.post_id, self.dialogue_id)

    @property
    def is_helpful(self) -> bool:
        return self.status == self.Status.HELPFUL


class HelpfulNoticeQuerySet(models.QuerySet["HelpfulNotice"]):
    def unread(self) -> "HelpfulNoticeQuerySet":
        return self.filter(read_at__isnull=True)

    def visible_to(self, member: Any) -> "HelpfulNoticeQuerySet":
        """A member's own notices only."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(member=member)


class HelpfulNotice(models.Model):
    """A private note, in words, that something of a member's was found helpful across
    perspectives. Sent once per member and item, the first time the item gets there."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="helpful_notices",
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(
        "posts.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dialogue = models.ForeignKey(
        "dialogues.Dialogue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = HelpfulNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_ONE_TARGET, name="helpful_notice_one_target"
            ),
            models.UniqueConstraint(
                fields=["member", "post"],
                condition=Q(post__isnull=False),
                name="helpful_notice_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["member", "dialogue"],
                condition=Q(dialogue__isnull=False),
                name="helpful_notice_once_per_dialogue",
            ),
        ]
        indexes = [
            models.Index(
                fields=["member", "-created_at"], name="helpful_notice_by_member"
            )
        ]

    def __str__(self) -> str:
        return f"Helpful notice for member {self.member_id}"

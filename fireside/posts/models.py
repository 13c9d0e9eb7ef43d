from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fireside.communities.models import Community, Membership, Topic


class PostQuerySet(models.QuerySet["Post"]):
    def live(self) -> "PostQuerySet":
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, viewer: Any) -> "PostQuerySet":
        """Return the posts VIEWER may read: every live post of an open community, and those
        of request and invite communities to their active members only. A post the
        cohort hid is gone for everyone but its author and the cohort."""
        return self.live().in_communities_readable_by(viewer)

    def not_hidden(self) -> "PostQuerySet":
        """Posts no cohort hid (moderation)."""
        return self.filter(hidden_at__isnull=True)

    def not_hidden_from(self, viewer: Any) -> "PostQuerySet":
        """Leave out the posts a cohort hid, except for their author and that cohort."""
        if viewer is None or not viewer.is_authenticated:
            return self.not_hidden()
        cohort_of = (
            Membership.objects.cohort().filter(member=viewer).values("community_id")
        )
        return self.filter(
            Q(hidden_at__isnull=True)
            | Q(author_id=viewer.pk)
            | Q(community_id__in=cohort_of)
        )

    def in_communities_readable_by(self, viewer: Any) -> "PostQuerySet":
        """Return the posts, deleted ones included, whose community VIEWER may read; the post
        page shows a deleted post as a tombstone where its words were."""
        public = Q(community__visibility=Community.Visibility.OPEN)
        if viewer is None or not viewer.is_authenticated:
            return self.filter(public).not_hidden()
        member_of = (
            Membership.objects.active().filter(member=viewer).values("community_id")
        )
        return self.filter(public | Q(community_id__in=member_of)).not_hidden_from(
            viewer
        )


class Post(models.Model):
    """Something a member opens in a community to talk about. Deleting one wipes its words
    but keeps the row, so conversations that started from it keep their context."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="posts",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    topics = models.ManyToManyField(Topic, related_name="posts", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    #: The author paused conversation requests about this post.
    requests_paused = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    #: Hidden by a cohort's action (moderation): gone for everyone but its author, who
    #: is told under which rule, and the cohort. Cleared if the action is overturned.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by_action = models.ForeignKey(
        "moderation.ModAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            # The home feed and a community's page read newest first per community.
            models.Index(
                fields=["community", "-created_at", "-id"], name="post_community_newest"
            ),
            models.Index(fields=["author", "-created_at"], name="post_author_newest"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(models.Model):
    """The words of a post before one edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200)
    body = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of {self.post_id} from {self.written_at:%Y-%m-%d %H:%M}"

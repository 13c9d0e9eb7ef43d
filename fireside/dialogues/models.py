from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fireside.communities.models import Community, Membership


class DialogueQuerySet(models.QuerySet["Dialogue"]):
    def published(self) -> "DialogueQuerySet":
        return self.filter(state=Dialogue.State.PUBLISHED)

    def visible_to(self, viewer: Any) -> "DialogueQuerySet":
        """Return the published dialogues VIEWER may read: those in open communities for
        anyone (signed in or not), and those in request and invite communities for their
        active members. A proposed, declined or withdrawn dialogue is visible to nobody
        here; its two members see a proposal through `involving` instead.

        A member VIEWER blocked (or who blocked VIEWER) stays readable like anyone else:
        a published dialogue is public speech in the community, and blocking governs who
        may message whom, not who may read."""
        public = Q(community__visibility=Community.Visibility.OPEN)
        readable = self.published()
        if viewer is None or not viewer.is_authenticated:
            return readable.filter(public)
        member_of = (
            Membership.objects.active().filter(member=viewer).values("community_id")
        )
        return readable.filter(public | Q(community_id__in=member_of))

    def involving(self, member: Any) -> "DialogueQuerySet":
        """Return the dialogues, in any state, of conversations MEMBER takes part in."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(
            Q(conversation__initiator=member) | Q(conversation__recipient=member)
        )

    def newest_first(self) -> "DialogueQuerySet":
        return self.order_by("-published_at", "-id")


class Dialogue(models.Model):
    """A range of one conversation both of its members agreed to publish to a community
    (under a post of it, or on its own).

    Transitions (dialogues/actions.py is the only place that makes them):
        proposed → published (the other member accepts) | declined | withdrawn
        published → withdrawn (either member, at any time)
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", "proposed"
        PUBLISHED = "published", "published"
        DECLINED = "declined", "declined"
        WITHDRAWN = "withdrawn", "withdrawn"

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="dialogues"
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="dialogues"
    )
    post = models.ForeignKey(
        "posts.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialogues",
    )
    #: The chosen range of message seqs, both ends included.
    from_seq = models.PositiveIntegerField()
    to_seq = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True, default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PROPOSED
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    #: When the other member accepted or declined.
    decided_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DialogueQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(state="proposed"),
                name="dialogue_one_open_proposal",
            ),
            models.CheckConstraint(
                condition=Q(from_seq__gte=1) & Q(to_seq__gte=models.F("from_seq")),
                name="dialogue_range_in_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "state", "-published_at"],
                name="dialogue_community_newest",
            ),
            models.Index(fields=["post", "state"], name="dialogue_by_post"),
        ]

    def __str__(self) -> str:
        return f"Dialogue {self.pk} ({self.state})"

    @property
    def display_title(self) -> str:
        """The proposer's title, else the post's, else who talked."""
        if self.title:
            return self.title
        if self.post is not None and not self.post.is_deleted:
            return self.post.title
        conversation = self.conversation
        return (
            f"A conversation between @{conversation.initiator.handle} and "
            f"@{conversation.recipient.handle}"
        )

    def participants(self) -> list[Any]:
        return [self.conversation.initiator, self.conversation.recipient]

    def is_participant(self, member: Any) -> bool:
        return bool(
            member is not None
            and member.is_authenticated
            and member.pk
            in (self.conversation.initiator_id, self.conversation.recipient_id)
        )


class DialogueMessage(models.Model):
    """The words of one message as they stood when the dialogue was accepted, so an edit
    afterwards cannot change what both members agreed to publish. If either member later
    deletes the message, its words are wiped here too and the dialogue shows a
    tombstone."""

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="messages"
    )
    message = models.ForeignKey(
        "conversations.Message",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    seq = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(blank=True, default="")
    sent_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dialogue", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "seq"], name="dialogue_message_seq_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Message {self.seq} of dialogue {self.dialogue_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class DialogueNoticeQuerySet(models.QuerySet["DialogueNotice"]):
    def unread(self) -> "DialogueNoticeQuerySet":
        return self.filter(read_at__isnull=True)

    def visible_to(self, member: Any) -> "DialogueNoticeQuerySet":
        """A member's own notices only."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(member=member)


class DialogueNotice(models.Model):
    """A private, worded note to one member of a conversation about its dialogue: asked
    to publish, published, declined, withdrawn. Never a count of anything."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", "asked to publish your conversation"
        PUBLISHED = "published", "your conversation became a dialogue"
        DECLINED = "declined", "declined to publish"
        WITHDRAWN = "withdrawn", "withdrew the dialogue"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dialogue_notices",
    )
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = DialogueNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "read_at"], name="dialogue_notice_unread")
        ]

    def __str__(self) -> str:
        return f"Dialogue notice ({self.kind}) for member {self.member_id}"

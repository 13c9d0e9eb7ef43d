from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

#: A request nobody answered stops waiting after this long.
REQUEST_LIFETIME = timedelta(days=14)


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def visible_to(self, viewer: Any) -> "ConversationQuerySet":
        """Return the conversations VIEWER takes part in; nobody else sees one at all."""
        if viewer is None or not viewer.is_authenticated:
            return self.none()
        return self.filter(Q(initiator=viewer) | Q(recipient=viewer))

    def unblocked_for(self, viewer: Any) -> "ConversationQuerySet":
        """Drop conversations with someone VIEWER blocked: a blocker's lists show nothing
        of them. (A conversation stays reachable at its address, so it can be reported.)"""
        from fireside.safety.models import Block  # safety builds on conversations

        blocked = Block.objects.filter(blocker=viewer).values("blocked")
        return self.exclude(initiator__in=blocked).exclude(recipient__in=blocked)

    def between(self, one: Any, other: Any) -> "ConversationQuerySet":
        return self.filter(
            Q(initiator=one, recipient=other) | Q(initiator=other, recipient=one)
        )

    def open(self) -> "ConversationQuerySet":
        """Requests still waiting and active conversations."""
        return self.filter(
            state__in=[Conversation.State.REQUESTED, Conversation.State.ACTIVE]
        )


class Conversation(models.Model):
    """Exactly two members. It starts as a request carrying an opening message; the
    recipient accepts (active) or declines; it can later be archived, or end by a block.

    Transitions (conversations/actions.py is the only place that makes them):
        requested → active | declined | expired | ended
        active → archived | ended
    """

    class State(models.TextChoices):
        REQUESTED = "requested", "requested"
        ACTIVE = "active", "active"
        DECLINED = "declined", "declined"
        EXPIRED = "expired", "expired"
        ARCHIVED = "archived", "archived"
        ENDED = "ended", "ended"

    class Tray(models.TextChoices):
        REQUESTS = "requests", "Requests"
        LATER = "later", "Later"

    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Both ids in order, so that "one open conversation per pair" is one constraint.
    pair_low = models.BigIntegerField()
    pair_high = models.BigIntegerField()
    post = models.ForeignKey(
        "posts.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.REQUESTED
    )
    tray = models.CharField(max_length=10, choices=Tray.choices, default=Tray.REQUESTS)
    #: Why the sender may be unfamiliar to the recipient, as worked out when the request
    #: was made (conversations/unfamiliar.py): a list of {"code", "text"}. Shown to the
    #: recipient only, and never a reason to refuse anything by itself.
    signals = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_seq = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    initiator_read_seq = models.PositiveIntegerField(default=0)
    recipient_read_seq = models.PositiveIntegerField(default=0)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pair_low", "pair_high"],
                condition=Q(state__in=["requested", "active"]),
                name="conversation_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(initiator=models.F("recipient")),
                name="conversation_not_with_oneself",
            ),
        ]
        indexes = [
            models.Index(
                fields=["initiator", "-last_message_at"], name="conv_initiator"
            ),
            models.Index(
                fields=["recipient", "-last_message_at"], name="conv_recipient"
            ),
            # Pile-on protection counts the requests a member received in the last hour.
            models.Index(
                fields=["recipient", "created_at"], name="conv_recipient_asked"
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.state})"

    def other(self, member: Any) -> Any:
        return self.recipient if member.pk == self.initiator_id else self.initiator

    def read_seq_of(self, member: Any) -> int:
        if member.pk == self.initiator_id:
            return self.initiator_read_seq
        return self.recipient_read_seq

    def is_unread_for(self, member: Any) -> bool:
        return self.last_seq > self.read_seq_of(member)

    def is_your_turn(self, member: Any) -> bool:
        """Whether MEMBER is the one expected to write (or, for a request, to answer)."""
        if self.state == self.State.REQUESTED:
            return bool(member.pk == self.recipient_id)
        return bool(
            self.state == self.State.ACTIVE
            and self.last_author_id not in (None, member.pk)
        )

    @property
    def is_expired_request(self) -> bool:
        """A request nobody answered within REQUEST_LIFETIME, whether or not the periodic
        expiry has marked it yet."""
        if self.state == self.State.EXPIRED:
            return True
        return self.state == self.State.REQUESTED and timezone.now() >= self.expires_at

    @property
    def expires_at(self) -> datetime:
        return self.created_at + REQUEST_LIFETIME


class RequestBurst(models.Model):
    """A burst of requests to one member that pile-on protection held in Later. One row
    per burst: the member sees one notice about it (until dismissed), and each post the
    held requests cite is sent to its community's cohort once."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_held_at = models.DateTimeField(default=timezone.now)
    #: Ids of the posts whose cohort already got a case about this burst.
    reported_posts = models.JSONField(default=list, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["member", "-last_held_at"], name="burst_member_latest")
        ]

    def __str__(self) -> str:
        return f"Request burst to member {self.member_id} from {self.started_at}"


class Message(models.Model):
    """One turn. `seq` numbers a conversation's messages 1, 2, 3… with no gaps, so a client
    that saw up to N asks for everything after N. A deleted message keeps its row (and seq)
    as a tombstone."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=4000)
    client_id = models.CharField(max_length=64, blank=True, default="")
    sent_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "seq"], name="message_seq_unique"
            ),
            models.UniqueConstraint(
                fields=["conversation", "author", "client_id"],
                condition=~Q(client_id=""),
                name="message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.seq} of conversation {self.conversation_id}"


class MessageRevision(models.Model):
    """The words of a message before one edit."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"Revision of message {self.message_id}"

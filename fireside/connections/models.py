"""Keep-in-touch connections, the offers that lead to them, and each member's choices about
reminders. Connections are private: a member sees their own list, nobody sees a count."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ConnectionQuerySet(models.QuerySet["Connection"]):
    def visible_to(self, viewer: Any) -> "ConnectionQuerySet":
        """Return VIEWER's own connections (one row each, `other` being the connection);
        nobody sees anyone else's."""
        if viewer is None or not viewer.is_authenticated:
            return self.none()
        return self.filter(member=viewer)

    def between(self, one: Any, other: Any) -> "ConnectionQuerySet":
        """Both rows of the connection between ONE and OTHER, if they keep in touch."""
        return self.filter(Q(member=one, other=other) | Q(member=other, other=one))

    def others_of(self, member: Any) -> "models.QuerySet[Any]":
        """The ids of MEMBER's connections, for use as a subquery."""
        return self.filter(member=member).values("other_id")


class Connection(models.Model):
    """A mutual keep-in-touch bond, formed when one member's offer is accepted by the
    other. It is stored as two rows, one for each side (MEMBER's view of OTHER), made
    and removed together (connections/actions.py is the only place that does), so "my
    connections" is one index seek. Letting go removes both rows: it is gone for both."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    #: The conversation after which the offer was made, kept as context.
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    connected_at = models.DateTimeField(default=timezone.now)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "other"], name="connection_one_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(member=models.F("other")),
                name="connection_not_with_oneself",
            ),
        ]

    def __str__(self) -> str:
        return f"Connection of member {self.member_id} with member {self.other_id}"


class ConnectionOfferQuerySet(models.QuerySet["ConnectionOffer"]):
    def pending(self) -> "ConnectionOfferQuerySet":
        """Offers not declined: still waiting, as far as their sender knows."""
        return self.filter(declined_at__isnull=True)

    def received_by(self, member: Any) -> "ConnectionOfferQuerySet":
        """Offers MEMBER received and has not declined."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.pending().filter(to_member=member)

    def sent_by(self, member: Any) -> "ConnectionOfferQuerySet":
        """Offers MEMBER made. A declined offer still reads as waiting to its sender,
        because declining is quiet."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(from_member=member)


class ConnectionOffer(models.Model):
    """One member's offer to keep in touch with another they talked with. The other
    accepts (a Connection forms and the offer goes) or declines quietly (`declined_at`:
    the sender is never told, and the offer leaves the recipient's list)."""

    from_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    to_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    offered_at = models.DateTimeField(default=timezone.now)
    declined_at = models.DateTimeField(null=True, blank=True)

    objects = ConnectionOfferQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_member", "to_member"],
                name="connection_offer_one_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(from_member=models.F("to_member")),
                name="connection_offer_not_to_oneself",
            ),
        ]
        indexes = [
            models.Index(fields=["to_member", "-offered_at"], name="offer_received")
        ]

    def __str__(self) -> str:
        return f"Offer from member {self.from_member_id} to member {self.to_member_id}"


class ReminderSettings(models.Model):
    """A member's choices about reminders, and when each was last sent (so the daily
    tasks are safe to run any number of times). A member without a row has the
    defaults: the monthly audit reminder on, the email digest off."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_settings",
    )
    #: A monthly in-app notice (and, with the digest on, a mail) to look at one's network.
    audit_reminder = models.BooleanField(default=True)
    #: A daily mail listing conversations waiting on the member for more than 3 days.
    email_digest = models.BooleanField(default=False)
    audit_reminded_at = models.DateTimeField(null=True, blank=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reminder settings of member {self.member_id}"


class AuditNoticeQuerySet(models.QuerySet["AuditNotice"]):
    def visible_to(self, member: Any) -> "AuditNoticeQuerySet":
        """MEMBER's own notices that are still up."""
        if member is None or not member.is_authenticated:
            return self.none()
        return self.filter(member=member, dismissed_at__isnull=True)


class AuditNotice(models.Model):
    """The monthly in-app reminder to look over one's connections. It stays until the
    member opens the audit or puts it away."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = AuditNoticeQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["member", "dismissed_at"], name="audit_notice_open")
        ]

    def __str__(self) -> str:
        return f"Audit notice for member {self.member_id}"

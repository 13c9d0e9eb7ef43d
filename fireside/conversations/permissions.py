"""Who may ask whom, and who may write where. `check_*` raise with a reason."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities.models import Membership
from fireside.conversations.models import Conversation
from fireside.conversations.pileon import are_connected
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.moderation.permissions import check_not_restricted
from fireside.safety.models import Block

#: After a decline, the same person may ask the same member again only after this.
DECLINE_COOLDOWN = timedelta(days=30)
TRUSTED_LEVEL = Member.TrustLevel.TRUSTED


def share_a_community(one: Any, other: Any) -> bool:
    theirs = Membership.objects.active().filter(member=other).values("community_id")
    return (
        Membership.objects.active().filter(member=one, community_id__in=theirs).exists()
    )


def check_request_conversation(sender: Any, recipient: Any, post: Any = None) -> None:
    """Raise unless SENDER may ask RECIPIENT for a conversation now, about POST if given."""
    if sender.pk == recipient.pk:
        raise ValidationFailed(
            {"to": ["You cannot ask yourself for a conversation."]}, code="self"
        )
    if not recipient.is_active:
        raise NotAllowed("This member's account is closed.", code="inactive")
    if post is not None:
        check_not_restricted(
            sender, post.community, doing="ask for conversations about its posts"
        )
    if Block.objects.filter(blocker=sender, blocked=recipient).exists():
        raise NotAllowed(
            f"You blocked @{recipient.handle}. Unblock them first.", code="you_blocked"
        )
    if Block.objects.filter(blocker=recipient, blocked=sender).exists():
        raise NotAllowed(
            f"@{recipient.handle} does not take requests from you.", code="blocked"
        )
    if recipient.requests_paused:
        raise NotAllowed(
            f"@{recipient.handle} is not taking requests right now. Try again another "
            "day.",
            code="requests_paused",
        )
    if post is not None and post.requests_paused:
        raise NotAllowed(
            "The author paused requests about this post, so it is not taking requests "
            "right now.",
            code="requests_paused",
        )
    rule = recipient.who_may_ask
    if rule == Member.WhoMayAsk.SHARED_COMMUNITY and not share_a_community(
        sender, recipient
    ):
        raise NotAllowed(
            f"@{recipient.handle} takes requests from members of a community you "
            "share. Join one of their communities first.",
            code="no_shared_community",
        )
    if rule == Member.WhoMayAsk.TRUSTED and sender.trust_level < TRUSTED_LEVEL:
        raise NotAllowed(
            f"@{recipient.handle} takes requests from trusted members only "
            "(trust level 3 and up).",
            code="trusted_only",
        )
    if rule == Member.WhoMayAsk.CONNECTIONS and not are_connected(sender, recipient):
        raise NotAllowed(
            f"@{recipient.handle} takes requests from their connections only.",
            code="connections_only",
        )
    existing = Conversation.objects.between(sender, recipient).open().first()
    if existing is not None and not existing.is_expired_request:
        raise NotAllowed(
            f"You already have an open conversation with @{recipient.handle}.",
            code="already_open",
        )
    declined = (
        Conversation.objects.filter(
            initiator=sender,
            recipient=recipient,
            state=Conversation.State.DECLINED,
            decided_at__gt=timezone.now() - DECLINE_COOLDOWN,
        )
        .order_by("-decided_at")
        .first()
    )
    if declined is not None and declined.decided_at is not None:
        again = (declined.decided_at + DECLINE_COOLDOWN).date()
        raise NotAllowed(
            f"@{recipient.handle} said not now. You can ask again from {again:%-d %B %Y}.",
            code="declined_recently",
        )


def check_answer_request(member: Any, conversation: Conversation) -> None:
    if member.pk != conversation.recipient_id:
        raise NotAllowed(
            "Only the person asked can answer a request.", code="not_recipient"
        )
    if conversation.is_expired_request:
        raise NotAllowed("This request expired without an answer.", code="expired")
    if conversation.state != Conversation.State.REQUESTED:
        raise NotAllowed("This request was already answered.", code="not_requested")


def check_write(member: Any, conversation: Conversation) -> None:
    """Raise unless MEMBER may add a message: the conversation must be active."""
    if conversation.state != Conversation.State.ACTIVE:
        reasons = {
            Conversation.State.REQUESTED: "This request has not been accepted yet.",
            Conversation.State.DECLINED: "This request was declined.",
            Conversation.State.EXPIRED: "This request expired without an answer.",
            Conversation.State.ARCHIVED: "This conversation is archived.",
            Conversation.State.ENDED: "This conversation has ended.",
        }
        raise NotAllowed(
            reasons[Conversation.State(conversation.state)], code="not_active"
        )


def can_write(member: Any, conversation: Conversation) -> bool:
    return conversation.state == Conversation.State.ACTIVE


def can_pause_post_requests(member: Any, post: Any) -> bool:
    return bool(
        member is not None
        and member.is_authenticated
        and post.author_id == member.pk
        and not post.is_deleted
    )


def check_pause_post_requests(member: Any, post: Any) -> None:
    """Raise unless MEMBER may pause or resume requests about POST: only its author may."""
    if not can_pause_post_requests(member, post):
        raise NotAllowed(
            "Only the author of a post can pause requests about it.", code="not_author"
        )

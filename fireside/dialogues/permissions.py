"""Who may propose, answer and withdraw a dialogue. `check_*` raise with a reason a person
understands; `can_*` answer templates."""

from typing import Any

from fireside.communities.models import Community, Membership
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.dialogues.models import Dialogue
from fireside.moderation.permissions import check_not_restricted

#: Only a conversation both members took part in can become a dialogue.
PUBLISHABLE_STATES = {Conversation.State.ACTIVE, Conversation.State.ARCHIVED}


def _is_member(member: Any, community: Community) -> bool:
    return (
        Membership.objects.active().filter(community=community, member=member).exists()
    )


def can_propose_dialogue(member: Any, conversation: Conversation) -> bool:
    return bool(
        member is not None
        and member.is_authenticated
        and member.pk in (conversation.initiator_id, conversation.recipient_id)
        and conversation.state in PUBLISHABLE_STATES
        and conversation.last_seq > 0
    )


def check_propose_dialogue(member: Any, conversation: Conversation) -> None:
    """Raise unless MEMBER, one of the two, may propose to publish CONVERSATION now: it
    must be active or archived (a request, a declined or an ended conversation cannot
    be published) and hold a message."""
    if member.pk not in (conversation.initiator_id, conversation.recipient_id):
        raise NotAllowed(
            "Only the two members of a conversation can publish it.",
            code="not_participant",
        )
    if conversation.state not in PUBLISHABLE_STATES:
        raise NotAllowed(
            "Only an active or archived conversation can be published as a dialogue.",
            code="not_publishable",
        )
    if conversation.last_seq == 0:
        raise NotAllowed("This conversation has no messages yet.", code="empty")
    if conversation.dialogues.filter(state=Dialogue.State.PROPOSED).exists():
        raise NotAllowed(
            "There is already a proposal to publish this conversation. Answer or "
            "withdraw it first.",
            code="already_proposed",
        )


def check_range(conversation: Conversation, from_seq: int, to_seq: int) -> None:
    """Raise unless FROM_SEQ..TO_SEQ is a range of CONVERSATION's messages."""
    last = conversation.last_seq
    errors: dict[str, list[str]] = {}
    if not 1 <= from_seq <= last:
        errors["from_seq"] = [f"Choose a first message between 1 and {last}."]
    if not 1 <= to_seq <= last:
        errors["to_seq"] = [f"Choose a last message between 1 and {last}."]
    if not errors and from_seq > to_seq:
        errors["to_seq"] = ["The last message cannot come before the first."]
    if errors:
        raise ValidationFailed(errors, code="bad_range")
    live = conversation.messages.filter(
        seq__gte=from_seq, seq__lte=to_seq, deleted_at__isnull=True
    )
    if not live.exists():
        raise ValidationFailed(
            {"from_seq": ["Every message in this range was deleted: choose others."]},
            code="empty_range",
        )


def check_publish_to(member: Any, conversation: Conversation, community: Any) -> None:
    """Raise unless both members of CONVERSATION are active members of COMMUNITY, and
    MEMBER is not muted, suspended or banned there."""
    other = conversation.other(member)
    if not _is_member(member, community):
        raise ValidationFailed(
            {"community": [f"You are not a member of {community.name}."]},
            code="not_both_members",
        )
    if not _is_member(other, community):
        raise ValidationFailed(
            {
                "community": [
                    f"@{other.handle} is not a member of {community.name}: a dialogue "
                    "goes to a community you both belong to."
                ]
            },
            code="not_both_members",
        )
    check_not_restricted(member, community, doing="publish dialogues")


def check_answer_dialogue(member: Any, dialogue: Dialogue) -> None:
    """Raise unless MEMBER may accept or decline DIALOGUE: it must be a proposal, and
    MEMBER the other member of the conversation, never the one who proposed it."""
    if not dialogue.is_participant(member):
        raise NotAllowed(
            "Only the two members of a conversation can answer a proposal to publish "
            "it.",
            code="not_participant",
        )
    if dialogue.state != Dialogue.State.PROPOSED:
        raise NotAllowed(
            "This proposal was already answered or withdrawn.", code="not_proposed"
        )
    if member.pk == dialogue.proposed_by_id:
        raise NotAllowed(
            "You proposed this dialogue: the other member decides whether it is "
            "published.",
            code="own_proposal",
        )


def can_answer_dialogue(member: Any, dialogue: Dialogue) -> bool:
    try:
        check_answer_dialogue(member, dialogue)
    except NotAllowed:
        return False
    return True


def check_withdraw_dialogue(member: Any, dialogue: Dialogue) -> None:
    """Raise unless MEMBER may withdraw DIALOGUE: either member, at any time, while it is
    proposed or published."""
    if not dialogue.is_participant(member):
        raise NotAllowed(
            "Only the two members of the conversation can withdraw its dialogue.",
            code="not_participant",
        )
    if dialogue.state not in (Dialogue.State.PROPOSED, Dialogue.State.PUBLISHED):
        raise NotAllowed(
            "This dialogue is not published or proposed any more.",
            code="not_withdrawable",
        )


def can_withdraw_dialogue(member: Any, dialogue: Dialogue) -> bool:
    return bool(
        dialogue.is_participant(member)
        and dialogue.state in (Dialogue.State.PROPOSED, Dialogue.State.PUBLISHED)
    )

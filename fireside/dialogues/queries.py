"""Reading dialogues: the messages a dialogue shows, and the lists pages need."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fireside.conversations.models import Conversation
from fireside.dialogues.models import Dialogue, DialogueNotice, DialogueQuerySet

#: How many dialogues a post or community page lists before "all dialogues".
RECENT = 10


@dataclass(frozen=True)
class Turn:
    """One message as a dialogue shows it: a deleted one has no words."""

    seq: int
    author: Any
    body: str
    sent_at: datetime
    is_deleted: bool


def range_turns(conversation: Conversation, from_seq: int, to_seq: int) -> list[Turn]:
    """The messages FROM_SEQ..TO_SEQ of CONVERSATION as they stand now: what a proposal
    would publish if accepted this moment."""
    messages = (
        conversation.messages.filter(seq__gte=from_seq, seq__lte=to_seq)
        .select_related("author")
        .order_by("seq")
    )
    return [
        Turn(
            seq=message.seq,
            author=message.author,
            body="" if message.deleted_at else message.body,
            sent_at=message.sent_at,
            is_deleted=message.deleted_at is not None,
        )
        for message in messages
    ]


def dialogue_turns(dialogue: Dialogue) -> list[Turn]:
    """What DIALOGUE shows: the words copied when it was published, or, for a proposal,
    the conversation's messages in its range as they stand now."""
    if dialogue.state != Dialogue.State.PUBLISHED:
        return range_turns(dialogue.conversation, dialogue.from_seq, dialogue.to_seq)
    return [
        Turn(
            seq=copy.seq,
            author=copy.author,
            body=copy.body,
            sent_at=copy.sent_at,
            is_deleted=copy.is_deleted,
        )
        for copy in dialogue.messages.select_related("author").order_by("seq")
    ]


def with_context(dialogues: DialogueQuerySet) -> DialogueQuerySet:
    return dialogues.select_related(
        "community",
        "post",
        "conversation__initiator",
        "conversation__recipient",
    )


def post_dialogues(post: Any, viewer: Any) -> list[Dialogue]:
    return list(
        with_context(
            Dialogue.objects.visible_to(viewer).filter(post=post)
        ).newest_first()[:RECENT]
    )


def community_dialogues(community: Any, viewer: Any, *, limit: int = RECENT) -> Any:
    return with_context(
        Dialogue.objects.visible_to(viewer).filter(community=community)
    ).newest_first()[:limit]


def conversation_dialogues(conversation: Conversation, member: Any) -> list[Dialogue]:
    """The dialogues (in any state) of CONVERSATION, for one of its two members."""
    return list(
        with_context(
            Dialogue.objects.involving(member).filter(conversation=conversation)
        ).order_by("-proposed_at", "-id")
    )


def unread_notices(member: Any) -> list[DialogueNotice]:
    return list(
        DialogueNotice.objects.visible_to(member)
        .unread()
        .select_related(
            "member",
            "dialogue__community",
            "dialogue__post",
            "dialogue__conversation__initiator",
            "dialogue__conversation__recipient",
        )[:20]
    )

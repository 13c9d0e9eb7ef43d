"""The words of a dialogue notice. A member is told what happened to their conversation,
never a number of readers or ratings."""

from typing import Any

from fireside.dialogues.models import DialogueNotice


def notice_text(notice: DialogueNotice) -> str:
    """One sentence for the member NOTICE is for, naming the other member."""
    dialogue = notice.dialogue
    conversation = dialogue.conversation
    other: Any = conversation.other(notice.member)
    community = dialogue.community.name
    if notice.kind == DialogueNotice.Kind.PROPOSED:
        return (
            f"@{other.handle} asked to publish your conversation as a dialogue in "
            f"{community}. Read exactly what would be published, then accept or "
            "decline."
        )
    if notice.kind == DialogueNotice.Kind.PUBLISHED:
        where = (
            f"under “{dialogue.post.title}” in {community}"
            if dialogue.post is not None and not dialogue.post.is_deleted
            else f"in {community}"
        )
        return (
            f"Your conversation with @{other.handle} became a dialogue {where}. "
            "Either of you can withdraw it at any time."
        )
    if notice.kind == DialogueNotice.Kind.DECLINED:
        return (
            f"@{other.handle} chose not to publish your conversation in {community}. "
            "It stays private between you."
        )
    return (
        f"@{other.handle} withdrew your dialogue from {community}. It is no longer "
        "published anywhere; your conversation stays private between you."
    )

"""Every change to dialogues: proposing to publish a conversation, answering, withdrawing,
and the private notices that tell its two members in words what happened.

Publishing needs both members: the proposer cannot accept their own proposal. A withdrawal
by either member flips the state, and every read goes through `Dialogue.objects.visible_to`
(published only), so the dialogue is gone from every page, list and API answer at once."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fireside.communities.models import Community
from fireside.conversations.models import Conversation, Message
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.dialogues import permissions
from fireside.dialogues.models import Dialogue, DialogueMessage, DialogueNotice
from fireside.live.broadcast import broadcast_many_on_commit
from fireside.live.groups import member_group

TITLE_MAX = 200


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if len(title) > TITLE_MAX:
        raise ValidationFailed(
            {"title": [f"A title has at most {TITLE_MAX} characters."]},
            code="too_long",
        )
    if "\x00" in title:
        raise ValidationFailed({"title": ["A title cannot contain NUL characters."]})
    return title


def _tell(dialogue: Dialogue, member_ids: list[int], kind: str) -> None:
    """Leave a notice of KIND for each of MEMBER_IDS and tell their open sockets."""
    DialogueNotice.objects.bulk_create(
        DialogueNotice(member_id=member_id, dialogue=dialogue, kind=kind)
        for member_id in member_ids
    )
    event = {"type": "dialogue.changed", "dialogue": dialogue.pk, "state": kind}
    broadcast_many_on_commit(
        [(member_group(member_id), event) for member_id in member_ids]
    )


def _pair(conversation: Conversation) -> list[int]:
    return [conversation.initiator_id, conversation.recipient_id]


def propose_dialogue(
    conversation: Conversation,
    *,
    by: Any,
    community: Community | None = None,
    post: Any = None,
    from_seq: int | None = None,
    to_seq: int | None = None,
    title: str = "",
) -> Dialogue:
    """Propose to publish CONVERSATION (all of it, or FROM_SEQ..TO_SEQ) to COMMUNITY, or
    under POST (then in POST's community). Both members must be active members of that
    community. The other member is told (a notice and a live event) and decides.

    Raises NotAllowed when BY may not propose now (one open proposal per conversation),
    ValidationFailed for a bad range, title, post or community."""
    permissions.check_propose_dialogue(by, conversation)
    title = _clean_title(title)
    if post is not None:
        if post.is_deleted or post.is_hidden:
            raise ValidationFailed(
                {"post": ["This post is not up any more: choose a community instead."]},
                code="post_gone",
            )
        if community is not None and community.pk != post.community_id:
            raise ValidationFailed(
                {"post": [f"This post is not in {community.name}."]},
                code="post_elsewhere",
            )
        community = post.community
    if community is None:
        raise ValidationFailed(
            {"community": ["Choose the community to publish it to."]},
            code="no_community",
        )
    from_seq = 1 if from_seq is None else from_seq
    to_seq = conversation.last_seq if to_seq is None else to_seq
    permissions.check_range(conversation, from_seq, to_seq)
    permissions.check_publish_to(by, conversation, community)
    try:
        with transaction.atomic():
            dialogue = Dialogue.objects.create(
                conversation=conversation,
                community=community,
                post=post,
                from_seq=from_seq,
                to_seq=to_seq,
                title=title,
                proposed_by=by,
            )
            _tell(dialogue, [conversation.other(by).pk], DialogueNotice.Kind.PROPOSED)
    except IntegrityError:
        # Both members proposed at the same moment: the one-open-proposal constraint.
        raise NotAllowed(
            "There is already a proposal to publish this conversation. Answer or "
            "withdraw it first.",
            code="already_proposed",
        ) from None
    return dialogue


def _claim(dialogue: Dialogue, *, state: str, **fields: Any) -> None:
    """Move DIALOGUE out of `proposed`, once: a second answer arriving at the same moment
    finds nothing to change."""
    changed = Dialogue.objects.filter(
        pk=dialogue.pk, state=Dialogue.State.PROPOSED
    ).update(state=state, **fields)
    if not changed:
        raise NotAllowed(
            "This proposal was already answered or withdrawn.", code="not_proposed"
        )
    dialogue.refresh_from_db()


def accept_dialogue(dialogue: Dialogue, *, by: Any) -> Dialogue:
    """Publish DIALOGUE: BY is the other member agreeing to the proposal. The messages in
    its range are copied as they stand now, so a later edit cannot change what both
    agreed to publish. Both members are told in words.

    Raises NotAllowed for the proposer (`own_proposal`), for an answered proposal, and
    ValidationFailed when either member has left the community since."""
    permissions.check_answer_dialogue(by, dialogue)
    conversation = dialogue.conversation
    permissions.check_publish_to(by, conversation, dialogue.community)
    now = timezone.now()
    with transaction.atomic():
        _claim(
            dialogue,
            state=Dialogue.State.PUBLISHED,
            decided_at=now,
            published_at=now,
        )
        messages = Message.objects.filter(
            conversation=conversation,
            seq__gte=dialogue.from_seq,
            seq__lte=dialogue.to_seq,
        ).order_by("seq")
        DialogueMessage.objects.bulk_create(
            DialogueMessage(
                dialogue=dialogue,
                message=message,
                seq=message.seq,
                author_id=message.author_id,
                body="" if message.deleted_at else message.body,
                sent_at=message.sent_at,
                deleted_at=message.deleted_at,
            )
            for message in messages
        )
        _tell(dialogue, _pair(conversation), DialogueNotice.Kind.PUBLISHED)
        _federate("dialogue_published", dialogue)
    return dialogue


def _federate(kind: str, dialogue: Dialogue) -> None:
    """Tell remote followers after commit (fireside/federation/outbox.py); free while
    federation is off."""
    from fireside.federation import outbox

    outbox.on_commit(kind, dialogue.pk)


def decline_dialogue(dialogue: Dialogue, *, by: Any) -> Dialogue:
    """Decline the proposal DIALOGUE; nothing is published and the proposer is told."""
    permissions.check_answer_dialogue(by, dialogue)
    with transaction.atomic():
        _claim(dialogue, state=Dialogue.State.DECLINED, decided_at=timezone.now())
        if dialogue.proposed_by_id is not None:
            _tell(dialogue, [dialogue.proposed_by_id], DialogueNotice.Kind.DECLINED)
    return dialogue


def withdraw_dialogue(dialogue: Dialogue, *, by: Any) -> Dialogue:
    """Withdraw DIALOGUE, proposed or published, as either member: it stops being
    published everywhere at once, its copied words are erased, and the other member is
    told."""
    permissions.check_withdraw_dialogue(by, dialogue)
    with transaction.atomic():
        changed = Dialogue.objects.filter(
            pk=dialogue.pk,
            state__in=[Dialogue.State.PROPOSED, Dialogue.State.PUBLISHED],
        ).update(
            state=Dialogue.State.WITHDRAWN,
            withdrawn_at=timezone.now(),
            withdrawn_by=by,
        )
        if not changed:
            raise NotAllowed(
                "This dialogue is not published or proposed any more.",
                code="not_withdrawable",
            )
        dialogue.refresh_from_db()
        dialogue.messages.all().delete()
        other = dialogue.conversation.other(by)
        _tell(dialogue, [other.pk], DialogueNotice.Kind.WITHDRAWN)
        if dialogue.published_at is not None:
            _federate("dialogue_withdrawn", dialogue)
    return dialogue


def forget_deleted_message(message: Message) -> int:
    """Erase MESSAGE's words from every dialogue that copied them: its author deleted it,
    so the dialogue shows a tombstone in its place. Returns how many copies changed."""
    return DialogueMessage.objects.filter(message=message).update(
        body="", deleted_at=message.deleted_at or timezone.now()
    )


def read_dialogue_notices(member: Any, *, dialogue: Dialogue | None = None) -> int:
    """Mark MEMBER's unread dialogue notices read (only those about DIALOGUE, if given)."""
    notices = DialogueNotice.objects.visible_to(member).unread()
    if dialogue is not None:
        notices = notices.filter(dialogue=dialogue)
    return notices.update(read_at=timezone.now())

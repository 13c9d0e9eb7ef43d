"""Dialogues in the JSON API: propose to publish a conversation, answer, withdraw, read.

A published dialogue is read through `Dialogue.objects.visible_to(viewer)`: anything else
(a proposal, a withdrawn or declined one, one in a community the viewer cannot read) is
404. Proposals are answered by the conversation's two members only; anyone else gets 404
there too. Publishing a dialogue never opens its conversation to anyone: the conversation
and its messages stay 404 to everyone but the two."""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from fireside.accounts.authentication import (
    member_auth,
    optional_member_auth,
    request_member,
    request_viewer,
)
from fireside.accounts.models import Member
from fireside.communities.actions import SLUG_PATTERN
from fireside.communities.models import Community
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotFound
from fireside.dialogues import actions, queries
from fireside.dialogues.models import Dialogue, DialogueNotice
from fireside.dialogues.notices import notice_text
from fireside.dialogues.payloads import dialogue_payload, summary_payload
from fireside.posts.models import Post

router = Router(tags=["dialogues"])

ID_MAX = 2**63 - 1
SEQ_MAX = 2**31 - 1

StateName = Literal["proposed", "published", "declined", "withdrawn"]


class FieldNotFound(NotFound):
    """Something an input field names does not exist, or is not visible to the member."""

    def __init__(self, field: str, message: str) -> None:
        self.errors = {field: [message]}
        super().__init__(message)


class DialogueProposalIn(Schema):
    community: str | None = Field(default=None, max_length=50)
    post: int | None = Field(default=None, ge=1, le=ID_MAX)
    from_seq: int | None = Field(default=None, ge=1, le=SEQ_MAX)
    to_seq: int | None = Field(default=None, ge=1, le=SEQ_MAX)
    title: str = Field(default="", max_length=1000)


class DialogueStateOut(Schema):
    id: int
    state: StateName


class CommunityRefOut(Schema):
    slug: str
    name: str


class DialogueMessageOut(Schema):
    """One message of a dialogue; a deleted one is a tombstone with no words."""

    seq: int
    author: str | None
    body_html: str
    sent_at: datetime
    deleted: bool


class DialogueOut(Schema):
    id: int
    state: StateName
    community: CommunityRefOut
    post: int | None
    title: str
    participants: list[str]
    messages: list[DialogueMessageOut]
    published_at: datetime | None


class OwnDialogueOut(DialogueOut):
    """A dialogue of one's own conversation, in any state, as its two members see it."""

    from_seq: int
    to_seq: int
    proposed_by: str | None
    proposed_at: datetime
    withdrawn_at: datetime | None


class DialogueSummaryOut(Schema):
    id: int
    community: CommunityRefOut
    post: int | None
    title: str
    participants: list[str]
    published_at: datetime | None


class DialoguePageOut(Schema):
    items: list[DialogueSummaryOut]


class NoticeOut(Schema):
    id: int
    kind: Literal["proposed", "published", "declined", "withdrawn"]
    text: str
    dialogue: int
    created_at: datetime
    read: bool


def _own_payload(dialogue: Dialogue) -> dict[str, Any]:
    return {
        **dialogue_payload(dialogue),
        "from_seq": dialogue.from_seq,
        "to_seq": dialogue.to_seq,
        "proposed_by": dialogue.proposed_by.handle if dialogue.proposed_by else None,
        "proposed_at": dialogue.proposed_at,
        "withdrawn_at": dialogue.withdrawn_at,
    }


def _conversation(member: Member, conversation_id: int) -> Conversation:
    if not 1 <= conversation_id <= ID_MAX:
        raise Http404
    return get_object_or_404(
        Conversation.objects.visible_to(member).select_related(
            "initiator", "recipient"
        ),
        pk=conversation_id,
    )


def _own_dialogue(member: Member, dialogue_id: int) -> Dialogue:
    if not 1 <= dialogue_id <= ID_MAX:
        raise Http404
    return get_object_or_404(
        queries.with_context(Dialogue.objects.involving(member)), pk=dialogue_id
    )


def _community(member: Member, slug: str | None) -> Community | None:
    if slug is None:
        return None
    community = (
        Community.objects.visible_to(member).filter(slug=slug).first()
        if SLUG_PATTERN.fullmatch(slug)
        else None
    )
    if community is None:
        raise FieldNotFound("community", f"There is no community “{slug[:50]}”.")
    return community


def _post(member: Member, post_id: int | None) -> Post | None:
    if post_id is None:
        return None
    post = (
        Post.objects.visible_to(member)
        .select_related("community")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise FieldNotFound("post", f"There is no post {post_id} you can read.")
    return post


@router.post(
    "conversations/{conversation_id}/dialogue",
    response={201: DialogueStateOut},
    auth=member_auth,
    summary="Propose to publish a conversation as a dialogue",
)
def propose_dialogue(
    request: HttpRequest, conversation_id: int, payload: DialogueProposalIn
) -> Status[dict[str, Any]]:
    """Propose to publish one's conversation, all of it or the messages `from_seq` to
    `to_seq`, to a `community` (slug) both members belong to, or under a `post` (then
    in the post's community). The other member reads exactly what would be published
    and accepts or declines. 400 `not_both_members` when either member is not an active
    member of the community, `bad_range` for a range outside the conversation; 403
    `already_proposed` while a proposal waits."""
    member = request_member(request)
    conversation = _conversation(member, conversation_id)
    dialogue = actions.propose_dialogue(
        conversation,
        by=member,
        community=_community(member, payload.community),
        post=_post(member, payload.post),
        from_seq=payload.from_seq,
        to_seq=payload.to_seq,
        title=payload.title,
    )
    return Status(201, {"id": dialogue.pk, "state": dialogue.state})


@router.get(
    "conversations/{conversation_id}/dialogues",
    response=list[OwnDialogueOut],
    auth=member_auth,
    summary="The dialogues of one's conversation, in any state",
)
def conversation_dialogues(
    request: HttpRequest, conversation_id: int
) -> list[dict[str, Any]]:
    """For the two members only: every proposal and dialogue of the conversation,
    newest first, each with exactly the messages it publishes (or would publish)."""
    member = request_member(request)
    conversation = _conversation(member, conversation_id)
    return [
        _own_payload(dialogue)
        for dialogue in queries.conversation_dialogues(conversation, member)
    ]


def _answer(request: HttpRequest, dialogue_id: int, action: Any) -> dict[str, Any]:
    member = request_member(request)
    dialogue = action(_own_dialogue(member, dialogue_id), by=member)
    return {"id": dialogue.pk, "state": dialogue.state}


@router.post(
    "dialogues/{dialogue_id}/accept", response=DialogueStateOut, auth=member_auth
)
def accept_dialogue(request: HttpRequest, dialogue_id: int) -> dict[str, Any]:
    """Agree to publish a dialogue the other member proposed: it is published at once.
    403 `own_proposal` for the member who proposed it."""
    return _answer(request, dialogue_id, actions.accept_dialogue)


@router.post(
    "dialogues/{dialogue_id}/decline", response=DialogueStateOut, auth=member_auth
)
def decline_dialogue(request: HttpRequest, dialogue_id: int) -> dict[str, Any]:
    """Decline to publish a dialogue the other member proposed."""
    return _answer(request, dialogue_id, actions.decline_dialogue)


@router.post(
    "dialogues/{dialogue_id}/withdraw", response=DialogueStateOut, auth=member_auth
)
def withdraw_dialogue(request: HttpRequest, dialogue_id: int) -> dict[str, Any]:
    """Withdraw a proposed or published dialogue, as either member: it stops being
    published everywhere at once."""
    return _answer(request, dialogue_id, actions.withdraw_dialogue)


@router.get("dialogues/{dialogue_id}", response=DialogueOut, auth=optional_member_auth)
def dialogue_detail(request: HttpRequest, dialogue_id: int) -> dict[str, Any]:
    """A published dialogue one may read (its community's posts are readable to one);
    404 for anything else, proposals included."""
    if not 1 <= dialogue_id <= ID_MAX:
        raise Http404
    viewer = request_viewer(request)
    dialogue = get_object_or_404(
        queries.with_context(Dialogue.objects.visible_to(viewer)), pk=dialogue_id
    )
    return dialogue_payload(dialogue)


@router.get(
    "communities/{slug}/dialogues",
    response=DialoguePageOut,
    auth=optional_member_auth,
)
def community_dialogues(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A community's published dialogues one may read, newest first (the latest 50)."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise Http404
    viewer = request_viewer(request)
    community = get_object_or_404(Community.objects.visible_to(viewer), slug=slug)
    dialogues = queries.community_dialogues(community, viewer, limit=50)
    return {"items": [summary_payload(dialogue) for dialogue in dialogues]}


@router.get(
    "me/dialogue-notices",
    response=list[NoticeOut],
    auth=member_auth,
    summary="What happened to one's conversations as dialogues, in words",
)
def dialogue_notices(request: HttpRequest) -> list[dict[str, Any]]:
    """One's latest notices about dialogues (asked, published, declined, withdrawn),
    each a sentence; never a count of readers or ratings."""
    member = request_member(request)
    notices = DialogueNotice.objects.visible_to(member).select_related(
        "member",
        "dialogue__community",
        "dialogue__post",
        "dialogue__conversation__initiator",
        "dialogue__conversation__recipient",
    )[:50]
    return [
        {
            "id": notice.pk,
            "kind": notice.kind,
            "text": notice_text(notice),
            "dialogue": notice.dialogue_id,
            "created_at": notice.created_at,
            "read": notice.read_at is not None,
        }
        for notice in notices
    ]

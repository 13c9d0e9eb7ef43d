"""Direct messages across instances (issue 9, part 4): Create/Update/Delete of a Note
addressed to one of our members, as a conversation request or a message in an accepted
conversation; and our members' messages to remote members as direct Notes.

Incoming. A `Create{Note}` (or `ChatMessage`) counts as a direct message when it is
addressed to exactly one of our members and nobody else: no Public, no followers
collection, no second person (Fireside conversations are one-to-one). Its sender's local
stand-in (members.py) then asks for a conversation exactly as a local member would
(conversations.actions.request_conversation: blocks, who may ask, pauses, decline
cool-down, limits, pile-on protection, unfamiliar-sender signals), so nothing reaches the
member before they accept. A note in a conversation that is already open is appended as a
message; a reply to a request our member made counts as the remote person's consent. A
note our rules refuse is stored nowhere (the stand-in made for it is rolled back too): the
inbound activity is marked ignored with the reason, and a `Reject` of the Create, signed
by the member, tells the sender's server.

Outgoing. Once the conversation is accepted (or when our member opens a request to a
remote person: that is our member asking), each message of our member goes out as a
`Create{Note}` addressed and Mention-tagged to the one remote actor, with `inReplyTo` the
latest note received in that conversation. Edits go out as `Update{Note}`, deletions as
`Delete{Tombstone}`. The note ids (https://domain/@handle/messages/<pk>) are not
dereferenceable on purpose: a direct message is never served to whoever asks. Direct
messages are delivered to the actor's own inbox, not its server's shared inbox: the
personal inbox names the addressee unambiguously, and some servers treat the shared inbox
as the door for public and followers-only traffic only.

Federated messages are not end-to-end encrypted; the pages say so (conversations
templates)."""

import hashlib
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape

from fireside.accounts.models import Member
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation, Message
from fireside.core.exceptions import DomainError
from fireside.core.text import plain_text, render_markdown
from fireside.federation import blocks, conf, vocab
from fireside.federation.delivery import deliver_later
from fireside.federation.members import member_for_actor
from fireside.federation.models import FederatedObject, InboundActivity, RemoteActor

NOTE_TYPES = {"Note", "ChatMessage"}
State = InboundActivity.State


# Incoming ----------------------------------------------------------------------------


def client_id_for(note_id: str) -> str:
    """The client_id a remote note's message carries: a retried note adds nothing."""
    return "ap:" + hashlib.sha256(note_id.encode()).hexdigest()[:40]


def _text_of(note: dict[str, Any], member: Member) -> str:
    """The note's words as plain text, without the mention of MEMBER it opens with."""
    content = note.get("content")
    if not isinstance(content, str):
        content_map = note.get("contentMap")
        content = (
            next((v for v in content_map.values() if isinstance(v, str)), "")
            if isinstance(content_map, dict)
            else ""
        )
    text = plain_text(content)
    handle, domain = re.escape(member.handle), re.escape(conf.domain())
    mention = re.compile(rf"^\s*@{handle}(@{domain})?(?![\w@])[\s,:.]*", re.IGNORECASE)
    text = mention.sub("", text, count=1)
    # Nothing the sender wrote is dropped without a word: a content warning stays in
    # front of the text, and attachments (which we do not fetch or show) are named.
    warning = note.get("summary")
    if isinstance(warning, str) and plain_text(warning):
        text = f"Content warning: {plain_text(warning)}\n\n{text}"
    attached = [_attachment_line(item) for item in _listed(note.get("attachment"))]
    return "\n\n".join([text, *(line for line in attached if line)]).strip()


def _listed(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


#: What an attachment is called, by the first part of its media type.
ATTACHMENT_KINDS = {"image": "An image", "video": "A video", "audio": "A recording"}


def _attachment_line(item: object) -> str:
    """One line saying that ITEM was attached and is not shown here, with its
    description (alt text) when it has one. No address: a link in a message waits for
    trust level 1, and fetching it would tell the sender who read it."""
    if not isinstance(item, dict) or item.get("type") in ("Hashtag", "Mention"):
        return ""
    media = str(item.get("mediaType") or "").split("/", 1)[0]
    kind = ATTACHMENT_KINDS.get(media, "A file")
    name = item.get("name")
    described = f": “{plain_text(name)}”" if isinstance(name, str) and name else ""
    return f"({kind} was attached on their server{described}. Fireside does not show attachments.)"


def _reject(
    inbound: InboundActivity, member: Member, actor: RemoteActor, why: str
) -> None:
    """Tell ACTOR's server that MEMBER's side refused its Create (signed by MEMBER)."""
    activity = inbound.raw
    our_actor = conf.actor_id(member)
    deliver_later(
        {
            "@context": conf.AS_CONTEXT,
            "id": f"{our_actor}#rejects/{inbound.pk}",
            "type": "Reject",
            "actor": our_actor,
            "to": [actor.actor_id],
            "object": {
                "id": vocab.id_of(activity),
                "type": activity.get("type"),
                "actor": actor.actor_id,
                "object": vocab.id_of(activity.get("object")),
            },
            "summary": why,
        },
        actor.inbox,
        sender=member,
    )


def _open_between(stand_in: Member, member: Member) -> Conversation | None:
    found = (
        Conversation.objects.between(stand_in, member)
        .open()
        .select_related("initiator", "recipient")
        .first()
    )
    if found is None or found.is_expired_request:
        return None
    return found


def _take(
    note_id: str, text: str, actor: RemoteActor, member: Member
) -> tuple[str, str]:
    """Add the note as a request or a message; raises DomainError when refused (and
    then everything made here is rolled back, the stand-in included)."""
    client_id = client_id_for(note_id)
    with transaction.atomic():
        stand_in = member_for_actor(actor)
        conversation = _open_between(stand_in, member)
        if conversation is None:
            conversation = conversations.request_conversation(
                by=stand_in, to=member, message=text, client_id=client_id
            )
            message = conversation.messages.get(seq=1)
            note = "conversation requested"
        else:
            if (
                conversation.state == Conversation.State.REQUESTED
                and conversation.recipient_id == stand_in.pk
            ):
                # They answer a request our member made: that is their yes.
                conversation = conversations.accept_conversation(
                    conversation, by=stand_in
                )
            message = conversations.send_message(
                conversation, by=stand_in, body=text, client_id=client_id
            )
            note = "message added"
        FederatedObject.objects.create(
            object_id=note_id, remote_actor=actor, message=message
        )
    return State.PROCESSED, note


def _create(
    inbound: InboundActivity, actor: RemoteActor, note: dict[str, Any]
) -> tuple[str, str]:
    note_id = vocab.id_of(note)
    if not note_id or vocab.origin(note_id) != vocab.origin(actor.actor_id):
        return State.IGNORED, "a note without an id of its author's server"
    if (
        note.get("attributedTo", actor.actor_id) != actor.actor_id
        and vocab.id_of(note.get("attributedTo")) != actor.actor_id
    ):
        return State.IGNORED, "a note by someone else"
    if FederatedObject.objects.filter(object_id=note_id).exists():
        return State.IGNORED, "a note already received"
    addresses = set(vocab.addresses(inbound.raw, note)) - {actor.actor_id}
    if addresses & vocab.PUBLIC_ADDRESSES:
        return State.IGNORED, "a public note; only direct messages are taken"
    members = [
        m for m in (vocab.member_by_actor_id(a) for a in addresses) if m is not None
    ]
    if not members:
        return State.IGNORED, "a note addressed to nobody here"
    if len(addresses) != 1:
        return (
            State.IGNORED,
            "a note to several people, followers or a collection; conversations "
            "here are one-to-one",
        )
    member = members[0]
    text = _text_of(note, member)
    try:
        return _take(note_id, text, actor, member)
    except IntegrityError:
        # The same note, delivered twice at once, was taken by the other delivery.
        return State.IGNORED, "a note already received"
    except DomainError as refusal:
        _reject(inbound, member, actor, refusal.message)
        return State.IGNORED, f"refused: {refusal.message}"


def _known_message(actor: RemoteActor, object_id: str | None) -> Message | None:
    if not object_id:
        return None
    found = (
        FederatedObject.objects.filter(
            object_id=object_id, remote_actor=actor, message__isnull=False
        )
        .select_related("message__conversation")
        .first()
    )
    return found.message if found is not None else None


def _update(actor: RemoteActor, note: dict[str, Any]) -> tuple[str, str]:
    message = _known_message(actor, vocab.id_of(note))
    if message is None or actor.member is None:
        return State.IGNORED, "an update of no message of theirs here"
    conversation = message.conversation
    member = conversation.other(actor.member)
    try:
        conversations.edit_message(
            message, by=actor.member, body=_text_of(note, member)
        )
    except DomainError as refusal:
        return State.IGNORED, f"update refused: {refusal.message}"
    return State.PROCESSED, "message edited"


def _delete(actor: RemoteActor, target: object) -> tuple[str, str]:
    message = _known_message(actor, vocab.id_of(target))
    if message is None or actor.member is None:
        return State.IGNORED, "a deletion of no message of theirs here"
    conversations.delete_message(message, by=actor.member)
    return State.PROCESSED, "message deleted"


def process(inbound: InboundActivity, actor: RemoteActor) -> tuple[str, str]:
    """Act on a Create, Update or Delete that is not about a community (a Group)."""
    kind = inbound.activity_type
    target = inbound.raw.get("object")
    if kind == "Delete":
        return _delete(actor, target)
    if not isinstance(target, dict) or target.get("type") not in NOTE_TYPES:
        return State.IGNORED, f"a {kind} of something other than a note"
    if kind == "Create":
        return _create(inbound, actor, target)
    return _update(actor, target)


# Outgoing ----------------------------------------------------------------------------


def note_id(message: Message) -> str:
    assert message.author is not None
    return conf.absolute(f"/@{message.author.handle}/messages/{message.pk}")


def _mention_html(actor: RemoteActor) -> str:
    href = actor.url or actor.actor_id
    name = actor.preferred_username or "them"
    return (
        f'<span class="h-card"><a href="{escape(href)}" class="u-url mention">'
        f"@<span>{escape(name)}</span></a></span>"
    )


def _content(message: Message, actor: RemoteActor) -> str:
    html = str(render_markdown(message.body))
    mention = _mention_html(actor)
    if html.startswith("<p>"):
        return f"<p>{mention} {html.removeprefix('<p>')}"
    return f"<p>{mention}</p>{html}"


def _note(message: Message, actor: RemoteActor) -> dict[str, Any]:
    assert message.author is not None
    replied = (
        FederatedObject.objects.filter(
            message__conversation_id=message.conversation_id,
            remote_actor=actor,
            message__seq__lt=message.seq,
        )
        .order_by("-message__seq")
        .values_list("object_id", flat=True)
        .first()
    )
    mention_name = (
        f"@{actor.preferred_username}@{actor.domain}"
        if actor.preferred_username
        else actor.actor_id
    )
    note: dict[str, Any] = {
        "id": note_id(message),
        "type": "Note",
        "attributedTo": conf.actor_id(message.author),
        "to": [actor.actor_id],
        "cc": [],
        "tag": [{"type": "Mention", "href": actor.actor_id, "name": mention_name}],
        "inReplyTo": replied,
        "content": _content(message, actor),
        "mediaType": "text/html",
        "source": {"content": message.body, "mediaType": "text/markdown"},
        "published": message.sent_at.isoformat().replace("+00:00", "Z"),
    }
    if message.edited_at is not None:
        note["updated"] = message.edited_at.isoformat().replace("+00:00", "Z")
    return note


def _remote_peer(message: Message) -> RemoteActor | None:
    """The remote actor on the other side of MESSAGE's conversation, when its author is
    our member and federation is on; None otherwise."""
    author = message.author
    if author is None or author.is_remote or not conf.enabled():
        return None
    conversation = message.conversation
    other_id = (
        conversation.recipient_id
        if author.pk == conversation.initiator_id
        else conversation.initiator_id
    )
    actor = RemoteActor.objects.filter(member_id=other_id).first()
    if actor is None or blocks.instance_blocked(actor.actor_id):
        return None
    return actor


def _message(message_id: int) -> Message | None:
    return (
        Message.objects.filter(pk=message_id)
        .select_related("author", "conversation")
        .first()
    )


def message_sent(message_id: int) -> None:
    """Deliver our member's new message to the remote person it was written to, as a
    direct Create{Note}. Called after commit by conversations.actions, only for a
    conversation whose other member is a stand-in."""
    message = _message(message_id)
    if message is None or message.deleted_at is not None:
        return
    actor = _remote_peer(message)
    if actor is None:
        return
    assert message.author is not None
    note = _note(message, actor)
    deliver_later(
        {
            "@context": conf.AS_CONTEXT,
            "id": f"{note['id']}/activity",
            "type": "Create",
            "actor": note["attributedTo"],
            "to": note["to"],
            "cc": [],
            "published": note["published"],
            "object": note,
        },
        actor.inbox,
        sender=message.author,
    )


def message_changed(message_id: int) -> None:
    """Deliver an edit (Update{Note}) or a deletion (Delete{Tombstone}) of our member's
    message in a conversation with a remote person."""
    message = _message(message_id)
    if message is None:
        return
    actor = _remote_peer(message)
    if actor is None:
        return
    assert message.author is not None
    our_actor = conf.actor_id(message.author)
    stamp = int(timezone.now().timestamp())
    if message.deleted_at is not None:
        activity: dict[str, Any] = {
            "@context": conf.AS_CONTEXT,
            "id": f"{note_id(message)}#delete",
            "type": "Delete",
            "actor": our_actor,
            "to": [actor.actor_id],
            "object": {"id": note_id(message), "type": "Tombstone"},
        }
    else:
        note = _note(message, actor)
        activity = {
            "@context": conf.AS_CONTEXT,
            "id": f"{note['id']}#updates/{stamp}",
            "type": "Update",
            "actor": our_actor,
            "to": note["to"],
            "cc": [],
            "object": note,
        }
    deliver_later(activity, actor.inbox, sender=message.author)

"""Communities as Groups (FEP-1b12): remote follows of a community, posts into it, and
Announces of its posts and dialogues to its followers.

Only listed open communities federate (objects.federates). A remote follower's stand-in
joins the community through communities.actions.join_community, and a remote post is
opened through posts.actions.create_post as that stand-in, so bans, blocklists,
restrictions, trust limits and link rules apply to remote people exactly as to anyone
here. What is refused is answered with a Reject signed by the Group and nothing is kept.
Accepted posts, edits and deletions are announced to the Group's followers as received
(the activity keeps its author's id and signature origin)."""

import re
from contextlib import suppress
from typing import Any

from django.db import transaction
from django.utils import timezone

from fireside.communities import actions as communities
from fireside.communities.models import Community
from fireside.core.exceptions import DomainError
from fireside.core.text import plain_text
from fireside.federation import blocks, objects, outbox, vocab
from fireside.federation.delivery import deliver_later
from fireside.federation.members import member_for_actor
from fireside.federation.models import (
    FederatedObject,
    GroupFollower,
    InboundActivity,
    RemoteActor,
)
from fireside.posts import actions as posts

PROCESSED, IGNORED = InboundActivity.State.PROCESSED, InboundActivity.State.IGNORED
#: Object types that make a post: Lemmy sends Pages, others Articles, and a Note with a
#: title (`name`) is read the same way.
POST_TYPES = {"Page", "Article", "Note"}


def _community_addressed(activity: dict[str, Any]) -> Community | None:
    obj = activity.get("object")
    documents = [obj, activity] if isinstance(obj, dict) else [activity]
    for candidate in vocab.addresses(*documents, fields=("audience", "to", "cc")):
        community = objects.community_for_actor_id(candidate)
        if community is not None:
            return community
    return None


def _follow_target(activity: dict[str, Any]) -> Community | None:
    kind, obj = activity.get("type"), activity.get("object")
    if kind in ("Follow", "Block"):
        return objects.community_for_actor_id(vocab.id_of(obj))
    if kind == "Undo" and isinstance(obj, dict) and obj.get("type") == "Follow":
        return objects.community_for_actor_id(vocab.id_of(obj.get("object")))
    return None


def _stored_post(object_id: str | None) -> FederatedObject | None:
    if not object_id:
        return None
    return (
        FederatedObject.objects.filter(object_id=object_id, post__isnull=False)
        .select_related("post__community", "remote_actor")
        .first()
    )


def concerns_a_group(activity: dict[str, Any]) -> bool:
    """Whether ACTIVITY is addressed to, or acts on, one of our communities."""
    kind = activity.get("type")
    if kind in ("Follow", "Block", "Undo"):
        if _follow_target(activity) is not None:
            return True
        follow_id = vocab.id_of(activity.get("object"))
        return bool(
            kind == "Undo"
            and follow_id
            and GroupFollower.objects.filter(activity_id=follow_id).exists()
        )
    if kind in ("Create", "Update", "Delete"):
        if _community_addressed(activity) is not None:
            return True
        return _stored_post(vocab.id_of(activity.get("object"))) is not None
    return False


def process(inbound: InboundActivity, actor: RemoteActor) -> tuple[str, str]:
    """Act on an activity for one of our Groups; returns (state, note)."""
    activity: dict[str, Any] = inbound.raw
    kind = inbound.activity_type
    if kind == "Follow":
        return _follow(activity, actor)
    if kind in ("Undo", "Block"):
        return _unfollow(activity, actor)
    if kind == "Create":
        return _create(activity, actor)
    if kind == "Update":
        return _update(activity, actor)
    if kind == "Delete":
        return _delete(activity, actor)
    return IGNORED, f"{kind} is not handled for communities"


# Answers -----------------------------------------------------------------------------


def _answer(
    community: Community, kind: str, activity: dict[str, Any], actor: RemoteActor
) -> None:
    """The Group's Accept or Reject of ACTIVITY, delivered to ACTOR."""
    group = objects.group_actor_id(community)
    stamp = int(timezone.now().timestamp() * 1000)
    answer = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{group}#{kind.lower()}s/{actor.pk}/{stamp}",
        "type": kind,
        "actor": group,
        "to": [actor.actor_id],
        "object": {key: value for key, value in activity.items() if key != "@context"},
    }
    deliver_later(answer, actor.delivery_inbox, sender=None, community=community)


# Follows -----------------------------------------------------------------------------


def _follow(activity: dict[str, Any], actor: RemoteActor) -> tuple[str, str]:
    community = _follow_target(activity)
    activity_id = vocab.id_of(activity)
    if community is None or activity_id is None:
        return IGNORED, "a follow of no community"
    if not objects.federates(community):
        return IGNORED, "the community does not federate"
    if blocks.community_blocked(community.pk, actor.actor_id):
        _answer(community, "Reject", activity, actor)
        return IGNORED, "the community blocks this instance"
    try:
        with transaction.atomic():
            member = member_for_actor(actor)
            communities.join_community(community, member=member)
            follower, created = GroupFollower.objects.get_or_create(
                community=community,
                remote_actor=actor,
                defaults={"activity_id": activity_id},
            )
            if not created and follower.activity_id != activity_id:
                follower.activity_id = activity_id
                follower.save(update_fields=["activity_id"])
    except DomainError as error:
        _answer(community, "Reject", activity, actor)
        return IGNORED, f"follow refused: {error.code}"
    _answer(community, "Accept", activity, actor)
    return PROCESSED, "group follow accepted"


def _unfollow(activity: dict[str, Any], actor: RemoteActor) -> tuple[str, str]:
    """Undo{Follow} or a Block of the Group: the follow ends and the stand-in leaves."""
    obj = activity.get("object")
    follows = GroupFollower.objects.filter(remote_actor=actor)
    community = _follow_target(activity)
    if community is not None:
        follows = follows.filter(community=community)
    elif activity.get("type") == "Undo" and vocab.id_of(obj):
        follows = follows.filter(activity_id=vocab.id_of(obj))
    else:
        return IGNORED, "an undo of nothing we know"
    if isinstance(obj, dict) and obj.get("actor") not in (None, actor.actor_id):
        return IGNORED, "an undo of someone else's follow"
    ended = list(follows.select_related("community"))
    if not ended:
        return IGNORED, "no such follow"
    with transaction.atomic():
        for follower in ended:
            follower.delete()
            # A stand-in never leads, and nothing else refuses a leave.
            if actor.member is not None:
                with suppress(DomainError):
                    communities.leave_community(follower.community, member=actor.member)
    return PROCESSED, "group follow ended"


# Posts -------------------------------------------------------------------------------


def _post_object(activity: dict[str, Any], actor: RemoteActor) -> dict[str, Any] | None:
    """The post-like object of a Create or Update, if its author is the sender."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") not in POST_TYPES:
        return None
    if obj.get("type") == "Note" and not obj.get("name"):
        return None  # a comment or a direct message: no post here
    if vocab.id_of(obj.get("attributedTo")) not in (None, actor.actor_id):
        return None
    if not isinstance(obj.get("id"), str):
        return None
    return obj


_LINK = re.compile(
    r"""<a\s[^>]*?href\s*=\s*["'](https?://[^"']+)["'][^>]*>(.*?)</a>""",
    re.IGNORECASE | re.DOTALL,
)


def _keep_link(match: re.Match[str]) -> str:
    tag = match.group(0)[: match.group(0).find(">")]
    if "mention" in tag or "hashtag" in tag:
        return match.group(2)  # a person or a tag on their server: its words suffice
    return f"[{match.group(2)}]({match.group(1)})"


def _words(obj: dict[str, Any]) -> tuple[str, str]:
    """(title, Markdown body) of a remote post. Links of HTML content are kept as
    Markdown links, so the link rules of trust levels see them."""
    title = plain_text(str(obj.get("name") or "")).replace("\n", " ")
    source = obj.get("source")
    if (
        isinstance(source, dict)
        and source.get("mediaType") == "text/markdown"
        and isinstance(source.get("content"), str)
    ):
        return title, str(source["content"])
    return title, plain_text(_LINK.sub(_keep_link, str(obj.get("content") or "")))


def _announce_as_received(
    community: Community, activity: dict[str, Any], suffix: str
) -> None:
    group = objects.group_actor_id(community)
    stamp = int(timezone.now().timestamp() * 1000)
    transaction.on_commit(
        lambda: outbox.announce_to_group(
            community, activity, activity_id=f"{group}#announce-{suffix}-{stamp}"
        )
    )


def _create(activity: dict[str, Any], actor: RemoteActor) -> tuple[str, str]:
    community = _community_addressed(activity)
    obj = _post_object(activity, actor)
    if community is None or obj is None:
        return IGNORED, "not a post into a community"
    if not objects.federates(community):
        return IGNORED, "the community does not federate"
    if FederatedObject.objects.filter(object_id=obj["id"]).exists():
        return IGNORED, "already received"
    if blocks.community_blocked(community.pk, actor.actor_id):
        _answer(community, "Reject", activity, actor)
        return IGNORED, "the community blocks this instance"
    title, body = _words(obj)
    try:
        with transaction.atomic():
            member = member_for_actor(actor)
            communities.join_community(community, member=member)
            post = posts.create_post(community, by=member, title=title, body=body)
            FederatedObject.objects.create(
                object_id=obj["id"], remote_actor=actor, post=post
            )
    except DomainError as error:
        _answer(community, "Reject", activity, actor)
        return IGNORED, f"post refused: {error.code}"
    _announce_as_received(community, activity, f"post-{post.pk}")
    return PROCESSED, "post created"


def _update(activity: dict[str, Any], actor: RemoteActor) -> tuple[str, str]:
    obj = _post_object(activity, actor)
    stored = _stored_post(vocab.id_of(activity.get("object")))
    if obj is None or stored is None or stored.remote_actor_id != actor.pk:
        return IGNORED, "not an edit of a post of theirs"
    post = stored.post
    assert post is not None  # _stored_post asks for one
    title, body = _words(obj)
    try:
        posts.edit_post(post, by=post.author, title=title, body=body)
    except DomainError as error:
        return IGNORED, f"edit refused: {error.code}"
    _announce_as_received(post.community, activity, f"update-post-{post.pk}")
    return PROCESSED, "post edited"


def _delete(activity: dict[str, Any], actor: RemoteActor) -> tuple[str, str]:
    stored = _stored_post(vocab.id_of(activity.get("object")))
    if stored is None or stored.remote_actor_id != actor.pk:
        return IGNORED, "not a post of theirs"
    post = stored.post
    assert post is not None
    if post.is_deleted:
        return IGNORED, "already deleted"
    posts.delete_post(post, by=post.author)
    _announce_as_received(post.community, activity, f"delete-post-{post.pk}")
    return PROCESSED, "post deleted"

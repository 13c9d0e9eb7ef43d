"""ActivityStreams documents of what we publish: the Group actor of a community
(FEP-1b12), posts as Pages, dialogues as Articles, and the activities that carry them.

Only public things are rendered here; callers pick them through `visible_to(None)`. Text
becomes HTML only through fireside.core.text."""

from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from django.utils.html import format_html

from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.core.text import render_markdown
from fireside.dialogues.models import Dialogue
from fireside.federation import conf
from fireside.federation.keys import group_key
from fireside.federation.models import FederatedObject, RemoteActor
from fireside.federation.vocab import PUBLIC
from fireside.posts.models import Post

#: Extension terms of the Group actor (Lemmy's, which FEP-1b12 peers read).
GROUP_CONTEXT = [
    *conf.ACTOR_CONTEXT,
    {
        "postingRestrictedToMods": "https://join-lemmy.org/ns#postingRestrictedToMods",
        "sensitive": "as:sensitive",
    },
]


def federates(community: Community) -> bool:
    """Whether COMMUNITY is a Group other servers may follow: listed and open only, so
    nothing a cohort hides or keeps for its members leaves the instance."""
    return community.is_listed and community.visibility == Community.Visibility.OPEN


def group_actor_id(community: Community) -> str:
    """A community's actor id is its page URL: browsers get the page, peers the JSON."""
    return conf.absolute(reverse("community_detail", kwargs={"slug": community.slug}))


def group_key_id(community: Community) -> str:
    return f"{group_actor_id(community)}#main-key"


def community_for_actor_id(url: str | None) -> Community | None:
    """The community whose Group actor id is URL (any community; callers check
    `federates`)."""
    prefix = conf.absolute("/c/")
    if not url or not url.startswith(prefix):
        return None
    slug = url.removeprefix(prefix)
    if not slug.endswith("/") or "/" in slug[:-1] or len(slug) < 2:
        return None
    return Community.objects.filter(slug=slug[:-1]).first()


def post_url(post: Post) -> str:
    return conf.absolute(reverse("post_detail", kwargs={"post_id": post.pk}))


def dialogue_url(dialogue: Dialogue) -> str:
    return conf.absolute(
        reverse("dialogue_detail", kwargs={"dialogue_id": dialogue.pk})
    )


def actor_id_of(member: Member | None) -> str | None:
    """The actor id MEMBER is known by: ours, or for a stand-in its remote actor's."""
    if member is None:
        return None
    if member.is_remote:
        actor = RemoteActor.objects.filter(member=member).first()
        return actor.actor_id if actor is not None else None
    return conf.actor_id(member)


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def group(community: Community, *, webfinger: bool) -> dict[str, Any]:
    """The Group actor document of COMMUNITY (public data only, no counts). WEBFINGER:
    whether acct:slug@domain resolves to it (a member with that handle wins)."""
    actor = group_actor_id(community)
    data: dict[str, Any] = {
        "@context": GROUP_CONTEXT,
        "id": actor,
        "type": "Group",
        "preferredUsername": community.slug,
        "name": community.name,
        "summary": str(render_markdown(community.description)).strip(),
        "url": actor,
        "inbox": f"{actor}inbox",
        "outbox": f"{actor}outbox",
        "followers": f"{actor}followers",
        "endpoints": {"sharedInbox": conf.absolute("/inbox")},
        "publicKey": {
            "id": group_key_id(community),
            "owner": actor,
            "publicKeyPem": group_key(community).public_pem,
        },
        # Anyone may follow a listed open community, as anyone may join it.
        "manuallyApprovesFollowers": False,
        "postingRestrictedToMods": False,
        "discoverable": True,
        "published": _when(community.created_at),
    }
    if webfinger:
        data["webfinger"] = conf.acct(community.slug).removeprefix("acct:")
    return data


def _federated_id(post: Post) -> str | None:
    try:
        return str(post.federated.object_id)
    except FederatedObject.DoesNotExist:
        return None


def page(post: Post) -> dict[str, Any]:
    """POST as a Page (FEP-1b12 threads are Pages with a title). A post that came from
    another server keeps that server's id."""
    author = actor_id_of(post.author)
    community = post.community
    is_local = post.author is not None and not post.author.is_remote
    cc = [f"{author}followers"] if is_local else []
    data: dict[str, Any] = {
        "id": _federated_id(post) or post_url(post),
        "type": "Page",
        "attributedTo": author or group_actor_id(community),
        "to": [PUBLIC],
        "cc": cc,
        "name": post.title,
        "content": str(render_markdown(post.body)).strip(),
        "mediaType": "text/html",
        "source": {"content": post.body, "mediaType": "text/markdown"},
        "published": _when(post.created_at),
        "url": post_url(post),
    }
    if post.edited_at is not None:
        data["updated"] = _when(post.edited_at)
    if federates(community):
        data["audience"] = group_actor_id(community)
        data["cc"] = [*cc, group_actor_id(community)]
    return data


def _turn_html(message: Any) -> str:
    author = message.author
    who = (
        format_html("{} (@{})", author.display_name, author.handle)
        if author is not None
        else "Someone"
    )
    heading = format_html("<p><strong>{}</strong></p>", who)
    if message.is_deleted:
        return heading + "<p><em>This message was deleted.</em></p>"
    return heading + str(render_markdown(message.body)).strip()


def article(dialogue: Dialogue, *, sent_by: Member | None = None) -> dict[str, Any]:
    """A published DIALOGUE as an Article: its title, and its messages as they were
    agreed, each under its author's name.

    Served on its own, it is attributed to both members. Sent in a Create by one of
    them (SENT_BY), it is attributed to that one and mentions the other: servers such
    as bovine refuse a Create whose object is attributed to anyone but its actor, and
    each member sends the dialogue to their own followers."""
    participants = [actor_id_of(member) for member in dialogue.participants()]
    authors = [actor for actor in participants if actor]
    attributed: str | list[str] = authors
    tags: list[dict[str, str]] = []
    if sent_by is not None:
        attributed = conf.actor_id(sent_by)
        tags = [
            {"type": "Mention", "href": actor}
            for actor in authors
            if actor != attributed
        ]
    messages = dialogue.messages.select_related("author").order_by("seq")
    community = dialogue.community
    data: dict[str, Any] = {
        "id": dialogue_url(dialogue),
        "type": "Article",
        "attributedTo": attributed,
        "to": [PUBLIC],
        "cc": [],
        "name": dialogue.display_title,
        "content": "\n".join(_turn_html(message) for message in messages),
        "mediaType": "text/html",
        "published": _when(dialogue.published_at),
        "url": dialogue_url(dialogue),
    }
    if tags:
        data["tag"] = tags
    if federates(community):
        data["audience"] = group_actor_id(community)
        data["cc"] = [group_actor_id(community)]
    return data


def create(actor: str, obj: dict[str, Any], *, activity_id: str) -> dict[str, Any]:
    """A Create of OBJ by ACTOR, addressed like OBJ plus ACTOR's followers."""
    cc = list(obj.get("cc", []))
    followers = f"{actor}followers"
    if followers not in cc:
        cc.insert(0, followers)
    return {
        "@context": conf.AS_CONTEXT,
        "id": activity_id,
        "type": "Create",
        "actor": actor,
        "to": [PUBLIC],
        "cc": cc,
        "published": obj.get("published"),
        "object": obj,
    }


def update(actor: str, obj: dict[str, Any], *, activity_id: str) -> dict[str, Any]:
    """An Update of OBJ by ACTOR (its new words), addressed like its Create."""
    return {**create(actor, obj, activity_id=activity_id), "type": "Update"}


def delete(
    actor: str, object_id: str, *, activity_id: str, audience: str = ""
) -> dict[str, Any]:
    """A Delete of OBJECT_ID by ACTOR: a Tombstone in its place."""
    cc = [f"{actor}followers"]
    if audience:
        cc.append(audience)
    data: dict[str, Any] = {
        "@context": conf.AS_CONTEXT,
        "id": activity_id,
        "type": "Delete",
        "actor": actor,
        "to": [PUBLIC],
        "cc": cc,
        "object": {"id": object_id, "type": "Tombstone"},
    }
    if audience:
        data["audience"] = audience
    return data


def announce(
    community: Community, activity: dict[str, Any], *, activity_id: str
) -> dict[str, Any]:
    """COMMUNITY's Group passing ACTIVITY on to its followers (FEP-1b12)."""
    actor = group_actor_id(community)
    inner = {key: value for key, value in activity.items() if key != "@context"}
    return {
        "@context": conf.AS_CONTEXT,
        "id": activity_id,
        "type": "Announce",
        "actor": actor,
        "to": [PUBLIC],
        "cc": [f"{actor}followers"],
        "audience": actor,
        "object": inner,
    }


def post_create(post: Post) -> dict[str, Any]:
    """The Create of POST by its author, as our outboxes and followers get it."""
    obj = page(post)
    return create(str(obj["attributedTo"]), obj, activity_id=f"{post_url(post)}#create")


def dialogue_create(dialogue: Dialogue, member: Member) -> dict[str, Any]:
    """The Create of DIALOGUE by MEMBER, one of its two members."""
    actor = conf.actor_id(member)
    return create(
        actor,
        article(dialogue, sent_by=member),
        activity_id=f"{dialogue_url(dialogue)}#create-{member.handle}",
    )

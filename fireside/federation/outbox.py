"""Publishing to the fediverse: a member's public posts and dialogues to their accepted
remote followers (Create, Delete), and a federating community's posts and dialogues to
the followers of its Group (Announce, FEP-1b12).

Actions call `on_commit(kind, object_id)`; it does nothing, and makes no query, while
federation is off. Otherwise the fan-out runs as a task after commit, re-reads the
object through `visible_to(None)` (so a private post is never sent), and records one
signed Delivery per inbox, shared inboxes counted once."""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.dialogues.models import Dialogue
from fireside.federation import blocks, conf, objects
from fireside.federation.delivery import deliver_later
from fireside.federation.models import Follower, GroupFollower
from fireside.posts.models import Post

POST_PUBLISHED = "post_published"
POST_EDITED = "post_edited"
POST_DELETED = "post_deleted"
POST_HIDDEN = "post_hidden"
DIALOGUE_PUBLISHED = "dialogue_published"
DIALOGUE_WITHDRAWN = "dialogue_withdrawn"


def on_commit(kind: str, object_id: int) -> None:
    """After the current transaction commits, publish what KIND says happened to
    OBJECT_ID (a post or dialogue id). Free while federation is off."""
    if not conf.enabled():
        return
    transaction.on_commit(lambda: publish.enqueue(kind, object_id))


@task()
def publish(kind: str, object_id: int) -> str:
    """Fan out one publication: one Delivery per inbox. Run once per event (the hook
    enqueues it once, after commit); a second run would send it again, which peers
    ignore since the activity ids repeat."""
    handlers: dict[str, Callable[[int], int]] = {
        POST_PUBLISHED: publish_post,
        POST_EDITED: update_post,
        POST_DELETED: lambda pk: remove_post(pk, by_cohort=False),
        POST_HIDDEN: lambda pk: remove_post(pk, by_cohort=True),
        DIALOGUE_PUBLISHED: publish_dialogue,
        DIALOGUE_WITHDRAWN: withdraw_dialogue,
    }
    if not conf.enabled() or kind not in handlers:
        return "skipped"
    return f"{handlers[kind](object_id)} deliveries"


# Who gets it -------------------------------------------------------------------------


def _open_inboxes(inboxes: Iterable[str], *, community: Community | None) -> list[str]:
    """INBOXES once each, without those of blocked instances."""
    return blocks.unblocked(
        list(dict.fromkeys(inboxes)),
        community_id=community.pk if community is not None else None,
    )


def follower_inboxes(member: Member) -> list[str]:
    """Where MEMBER's accepted remote followers receive (shared inboxes first)."""
    followers = Follower.objects.filter(
        member=member, state=Follower.State.ACCEPTED
    ).select_related("remote_actor")
    return _open_inboxes(
        (follower.remote_actor.delivery_inbox for follower in followers),
        community=None,
    )


def group_inboxes(community: Community) -> list[str]:
    """Where the followers of COMMUNITY's Group receive."""
    followers = GroupFollower.objects.filter(community=community).select_related(
        "remote_actor"
    )
    return _open_inboxes(
        (follower.remote_actor.delivery_inbox for follower in followers),
        community=community,
    )


def _to_followers(activity: dict[str, Any], member: Member, sent: set[str]) -> int:
    count = 0
    for inbox in follower_inboxes(member):
        if inbox not in sent:
            sent.add(inbox)
            deliver_later(activity, inbox, sender=member)
            count += 1
    return count


def announce_to_group(
    community: Community, activity: dict[str, Any], *, activity_id: str
) -> int:
    """COMMUNITY's Group announces ACTIVITY to its followers, signed by the Group."""
    if not objects.federates(community):
        return 0
    announce = objects.announce(community, activity, activity_id=activity_id)
    inboxes = group_inboxes(community)
    for inbox in inboxes:
        deliver_later(announce, inbox, sender=None, community=community)
    return len(inboxes)


def _stamp() -> int:
    return int(timezone.now().timestamp())


# Posts -------------------------------------------------------------------------------


def _public_local_post(post_id: int) -> tuple[Post, Member] | None:
    """The post, when anyone may see it and one of our members wrote it (a remote
    author's activities are relayed by groups.py as they were sent)."""
    post = (
        Post.objects.visible_to(None)
        .select_related("author", "community")
        .filter(pk=post_id)
        .first()
    )
    if post is None or post.author is None or post.author.is_remote:
        return None
    return post, post.author


def publish_post(post_id: int) -> int:
    """Send a newly opened public post: Create{Page} from its author to their followers,
    and the Group's Announce of it. A post from another server is announced by
    groups.py, which has the activity its author sent."""
    found = _public_local_post(post_id)
    if found is None:
        return 0
    post, author = found
    activity = objects.post_create(post)
    count = _to_followers(activity, author, set())
    group = objects.group_actor_id(post.community)
    return count + announce_to_group(
        post.community, activity, activity_id=f"{group}#announce-post-{post.pk}"
    )


def update_post(post_id: int) -> int:
    """Send the new words of an edited public post: Update{Page} from its author to their
    followers, announced by the Group."""
    found = _public_local_post(post_id)
    if found is None:
        return 0
    post, author = found
    url = objects.post_url(post)
    activity = objects.update(
        conf.actor_id(author),
        objects.page(post),
        activity_id=f"{url}#update-{_stamp()}",
    )
    count = _to_followers(activity, author, set())
    group = objects.group_actor_id(post.community)
    return count + announce_to_group(
        post.community,
        activity,
        activity_id=f"{group}#announce-update-post-{post.pk}-{_stamp()}",
    )


def remove_post(post_id: int, *, by_cohort: bool) -> int:
    """A public post was deleted by its author (BY_COHORT false) or hidden by the cohort:
    followers who got it are sent a Delete (announced by the Group)."""
    post = (
        Post.objects.select_related("author", "community")
        .filter(pk=post_id, community__visibility=Community.Visibility.OPEN)
        .first()
    )
    if post is None:
        return 0
    object_id = objects.page(post)["id"]
    community = post.community
    group = objects.group_actor_id(community)
    audience = group if objects.federates(community) else ""
    count = 0
    author = post.author
    if not by_cohort and author is not None and not author.is_remote:
        activity = objects.delete(
            conf.actor_id(author),
            object_id,
            activity_id=f"{objects.post_url(post)}#delete",
            audience=audience,
        )
        count += _to_followers(activity, author, set())
    elif by_cohort:
        activity = objects.delete(
            group,
            object_id,
            activity_id=f"{objects.post_url(post)}#hide-{_stamp()}",
            audience=audience,
        )
    else:
        return 0  # a remote author's own Delete is announced by groups.py
    return count + announce_to_group(
        community, activity, activity_id=f"{group}#announce-delete-post-{post.pk}"
    )


# Dialogues ---------------------------------------------------------------------------


def _dialogues() -> Any:
    return Dialogue.objects.select_related(
        "community", "post", "conversation__initiator", "conversation__recipient"
    )


def publish_dialogue(dialogue_id: int) -> int:
    """Send a newly published public dialogue: Create{Article} from each of its two
    members to their own followers (an inbox both reach gets it once), and the Group's
    Announce."""
    dialogue = _dialogues().visible_to(None).filter(pk=dialogue_id).first()
    if dialogue is None:
        return 0
    local = [member for member in dialogue.participants() if not member.is_remote]
    sent: set[str] = set()
    count = 0
    for member in local:
        count += _to_followers(objects.dialogue_create(dialogue, member), member, sent)
    if local:
        group = objects.group_actor_id(dialogue.community)
        count += announce_to_group(
            dialogue.community,
            objects.dialogue_create(dialogue, local[0]),
            activity_id=f"{group}#announce-dialogue-{dialogue.pk}",
        )
    return count


def withdraw_dialogue(dialogue_id: int) -> int:
    """A dialogue that had been published publicly was withdrawn: Delete{Tombstone} to
    everyone who got its Create."""
    dialogue = (
        _dialogues()
        .filter(
            pk=dialogue_id,
            state=Dialogue.State.WITHDRAWN,
            published_at__isnull=False,
            community__visibility=Community.Visibility.OPEN,
        )
        .first()
    )
    if dialogue is None:
        return 0
    url = objects.dialogue_url(dialogue)
    community = dialogue.community
    group = objects.group_actor_id(community)
    audience = group if objects.federates(community) else ""
    local = [member for member in dialogue.participants() if not member.is_remote]
    sent: set[str] = set()
    count = 0
    deletes = [
        objects.delete(
            conf.actor_id(member),
            url,
            activity_id=f"{url}#delete-{member.handle}",
            audience=audience,
        )
        for member in local
    ]
    for member, activity in zip(local, deletes, strict=True):
        count += _to_followers(activity, member, sent)
    if deletes:
        count += announce_to_group(
            community,
            deletes[0],
            activity_id=f"{group}#announce-delete-dialogue-{dialogue.pk}",
        )
    return count

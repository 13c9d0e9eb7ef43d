"""State changes of federation: remote follows and a member's choices about them.

Incoming activities are handled in inbox.py (which calls these); outgoing activities go
through delivery.deliver_later."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.federation import conf
from fireside.federation.delivery import deliver_later
from fireside.federation.models import FederationSettings, Follower, RemoteActor


def approves_follows(member: Member) -> bool:
    found = FederationSettings.objects.filter(member=member).first()
    return True if found is None else found.approve_follows


def set_approve_follows(member: Member, approve: bool) -> FederationSettings:
    """Whether remote follows of MEMBER wait for their yes (True) or are accepted at once.
    Turning approval off does not accept the requests already waiting."""
    found, _ = FederationSettings.objects.update_or_create(
        member=member, defaults={"approve_follows": approve}
    )
    return found


def _follow_object(follower: Follower) -> dict[str, Any]:
    return {
        "id": follower.activity_id,
        "type": "Follow",
        "actor": follower.remote_actor.actor_id,
        "object": conf.actor_id(follower.member),
    }


def _answer(follower: Follower, kind: str) -> None:
    actor = conf.actor_id(follower.member)
    activity = {
        "@context": conf.AS_CONTEXT,
        "id": f"{actor}#{kind.lower()}s/{follower.pk}/{int(timezone.now().timestamp())}",
        "type": kind,
        "actor": actor,
        "object": _follow_object(follower),
    }
    deliver_later(
        activity, follower.remote_actor.delivery_inbox, sender=follower.member
    )


@transaction.atomic
def record_follow(member: Member, actor: RemoteActor, activity_id: str) -> Follower:
    """A Follow of MEMBER by ACTOR arrived: pending, or accepted at once when MEMBER
    does not approve follows. A repeated Follow of an accepted follower is accepted
    again (the remote server may have lost our Accept)."""
    follower, created = Follower.objects.get_or_create(
        member=member,
        remote_actor=actor,
        defaults={"activity_id": activity_id},
    )
    if not created and follower.activity_id != activity_id:
        follower.activity_id = activity_id
        follower.save(update_fields=["activity_id"])
    if follower.state == Follower.State.ACCEPTED or not approves_follows(member):
        accept_follow(follower, by=member)
    return follower


@transaction.atomic
def accept_follow(follower: Follower, *, by: Member) -> Follower:
    """BY (the followed member) accepts: the follower is told with Accept{Follow}."""
    follower = Follower.objects.visible_to(by).get(pk=follower.pk)
    if follower.state != Follower.State.ACCEPTED:
        follower.state = Follower.State.ACCEPTED
        follower.accepted_at = timezone.now()
        follower.save(update_fields=["state", "accepted_at"])
    _answer(follower, "Accept")
    return follower


@transaction.atomic
def refuse_follow(follower: Follower, *, by: Member) -> None:
    """BY refuses a request, or removes an accepted follower: Reject{Follow} is sent so
    the remote server stops waiting or stops counting itself a follower."""
    follower = Follower.objects.visible_to(by).get(pk=follower.pk)
    _answer(follower, "Reject")
    follower.delete()


def remove_follow(
    actor: RemoteActor, *, member: Member | None = None, activity_id: str = ""
) -> int:
    """ACTOR undid its follow (of MEMBER, or the one made by ACTIVITY_ID), or blocked
    MEMBER. Returns how many follows were removed."""
    follows = Follower.objects.filter(remote_actor=actor)
    if member is not None:
        follows = follows.filter(member=member)
    elif activity_id:
        follows = follows.filter(activity_id=activity_id)
    else:
        return 0
    removed, _ = follows.delete()
    return removed


def forget_actor(actor: RemoteActor) -> None:
    """ACTOR was deleted on its server: its follows and its cached copy go. Its
    stand-in stays (conversations keep their history) but is closed, so nobody can
    write to a person who no longer exists."""
    with transaction.atomic():
        if actor.member_id is not None:
            Member.objects.filter(pk=actor.member_id, is_remote=True).update(
                is_active=False
            )
        actor.delete()

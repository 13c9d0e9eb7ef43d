"""Remote members: the local stand-in (an accounts.Member with is_remote) for a person on
another server, so that conversations, requests, signals, blocks, reports, limits and
cohort moderation apply to them exactly as to anyone here.

A stand-in never logs in (no usable password), is never mailed (no address), and may be
asked by anyone (their own server keeps its own rules). Its handle is name@their.server,
which local handles (a-z, 0-9, _) can never be."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.federation.models import RemoteActor


def remote_handle(actor: RemoteActor) -> str:
    name = (actor.preferred_username or "someone").strip().lower()
    return f"{name}@{actor.domain}"[:255]


def member_for_actor(actor: RemoteActor) -> Member:
    """ACTOR's stand-in, made on first need and refreshed from the actor's document."""
    member = actor.member
    if member is not None:
        display = (actor.name or actor.preferred_username or member.display_name)[:50]
        if member.display_name != display:
            member.display_name = display
            member.save(update_fields=["display_name"])
        return member
    handle = remote_handle(actor)
    with transaction.atomic():
        actor = RemoteActor.objects.select_for_update().get(pk=actor.pk)
        if actor.member is not None:
            return actor.member
        for attempt in range(20):
            try:
                with transaction.atomic():
                    member = Member(
                        handle=handle if attempt == 0 else f"{handle}~{attempt}",
                        email="",
                        display_name=(actor.name or actor.preferred_username or handle)[
                            :50
                        ],
                        # Their age on their own server, when it says: a years-old
                        # account is not "new" because it first wrote to us today.
                        joined_at=actor.published or timezone.now(),
                        who_may_ask=Member.WhoMayAsk.ANYONE,
                        is_remote=True,
                    )
                    member.set_unusable_password()
                    member.save()
                break
            except IntegrityError:
                continue  # a different actor with the same name@domain came first
        else:  # pragma: no cover - twenty actors with one name on one server
            raise IntegrityError(f"no free handle for {actor.actor_id}")
        actor.member = member
        actor.save(update_fields=["member"])
    return member


def actor_of(member: Member) -> RemoteActor | None:
    """The remote actor a stand-in speaks for (None for a local member)."""
    if not member.is_remote:
        return None
    return RemoteActor.objects.filter(member=member).first()

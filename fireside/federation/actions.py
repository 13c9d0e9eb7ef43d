"""State changes of federation: remote follows and a member's choices about them.

Incoming activities are handled in inbox.py (which calls these); outgoing activities go
through delivery.deliver_later."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities.models import Community, Membership
from fireside.conversations.actions import end_conversations_between
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotFound, ValidationFailed
from fireside.federation import blocks, conf, permissions
from fireside.federation.delivery import deliver_later
from fireside.federation.models import (
    CommunityInstanceBlock,
    Delivery,
    FederationSettings,
    Follower,
    GroupFollower,
    InstanceBlock,
    RemoteActor,
)
from fireside.staff.models import AccountSuspension


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


# Instance blocks -----------------------------------------------------------------------


def _clean_block(domain: str, reason: str) -> tuple[str, str]:
    domain, problem = blocks.domain_problem(domain or "")
    errors: dict[str, list[str]] = {}
    if problem:
        errors["domain"] = [problem]
    reason = (reason or "").strip()
    if len(reason) > blocks.REASON_MAX_LENGTH:
        errors["reason"] = [
            f"Keep the reason to {blocks.REASON_MAX_LENGTH} characters "
            f"(this one has {len(reason):,})."
        ]
    elif "\x00" in reason:
        errors["reason"] = ["The reason cannot contain NUL."]
    if errors:
        raise ValidationFailed(errors)
    return domain, reason


def _actors_within(domain: str) -> QuerySet[RemoteActor]:
    return RemoteActor.objects.filter(blocks.within("domain", domain))


def _cut_off(domain: str) -> None:
    """Everything that ties this instance to DOMAIN (and its subdomains) ends: their
    follows of members and of communities, deliveries still waiting for them, and
    open conversations with their stand-ins, which are closed (is_active off) so that
    nobody here writes to someone who cannot hear. History stays."""
    actors = _actors_within(domain)
    Follower.objects.filter(remote_actor__in=actors).delete()
    GroupFollower.objects.filter(remote_actor__in=actors).delete()
    waiting = Delivery.objects.filter(
        state=Delivery.State.PENDING, target__icontains=domain
    ).only("pk", "target")
    Delivery.objects.filter(
        pk__in=[
            item.pk
            for item in waiting
            if blocks.covers(domain, blocks.domain_of(item.target))
        ]
    ).update(state=Delivery.State.GAVE_UP, last_error="The instance is blocked.")
    stand_ins = Member.objects.filter(remote_actor__in=actors, is_remote=True)
    open_ones = Conversation.objects.filter(
        Q(initiator__in=stand_ins) | Q(recipient__in=stand_ins)
    ).open()
    for conversation in open_ones.select_related("initiator", "recipient"):
        end_conversations_between(conversation.initiator, conversation.recipient)
    stand_ins.update(is_active=False)


@transaction.atomic
def block_instance(domain: str, *, by: Member, reason: str = "") -> InstanceBlock:
    """Block DOMAIN and its subdomains for the whole instance (administrators only).
    Nothing from there is accepted, fetched or delivered to from now on, and existing
    ties are cut (_cut_off). Blocking a blocked domain again updates its reason.
    REASON is public: the list of blocked instances shows it."""
    permissions.check_block_instances(by)
    domain, reason = _clean_block(domain, reason)
    block, created = InstanceBlock.objects.get_or_create(
        domain=domain, defaults={"reason": reason, "created_by": by}
    )
    if not created and block.reason != reason:
        block.reason = reason
        block.save(update_fields=["reason"])
    _cut_off(domain)
    return block


@transaction.atomic
def unblock_instance(domain: str, *, by: Member) -> None:
    """Lift the administrators' block of DOMAIN. Its stand-ins open again (unless a
    block of a parent domain still holds, or the account is suspended here); follows
    and conversations that the block ended stay ended: their people start again."""
    permissions.check_block_instances(by)
    domain = blocks.normalize_domain(domain or "")
    removed, _ = InstanceBlock.objects.filter(domain=domain).delete()
    if not removed:
        raise NotFound(f"{domain or 'That domain'} is not blocked.")
    suspended = AccountSuspension.objects.current().values("member_id")
    reopen = [
        actor.member_id
        for actor in _actors_within(domain).exclude(member=None)
        if actor.member_id is not None and not blocks.instance_blocked(actor.domain)
    ]
    Member.objects.filter(pk__in=reopen, is_remote=True).exclude(
        pk__in=suspended
    ).update(is_active=True)


@dataclass
class ImportReport:
    """What a block-list import did, domain by domain; `skipped` gives the line number,
    the domain as read and why."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)


def import_blocks_csv(text: str, *, by: Member) -> ImportReport:
    """Block every domain of a CSV block list (blocks.parse_blocks_csv reads the
    formats). Lines with a problem are skipped and reported with their number; a
    domain already blocked keeps its block and takes the line's reason when it has
    one. Importing the same list twice changes nothing the second time."""
    permissions.check_block_instances(by)
    lines = blocks.parse_blocks_csv(text or "")
    if not lines:
        raise ValidationFailed(
            {"csv": ["The list has no domains. Paste or upload a CSV block list."]}
        )
    report = ImportReport()
    seen: dict[str, int] = {}
    for line in lines:
        if line.problem:
            report.skipped.append((line.number, line.domain, line.problem))
            continue
        if line.domain in seen:
            problem = f"The same domain as line {seen[line.domain]}."
            report.skipped.append((line.number, line.domain, problem))
            continue
        seen[line.domain] = line.number
        existing = InstanceBlock.objects.filter(domain=line.domain).first()
        if existing is None:
            block_instance(line.domain, by=by, reason=line.reason)
            report.added.append(line.domain)
        elif line.reason and line.reason != existing.reason:
            block_instance(line.domain, by=by, reason=line.reason)
            report.updated.append(line.domain)
        else:
            report.unchanged.append(line.domain)
    return report


@transaction.atomic
def block_instance_for_community(
    community: Community, domain: str, *, by: Member, reason: str = ""
) -> CommunityInstanceBlock:
    """Keep DOMAIN (and its subdomains) out of COMMUNITY (its cohort only): their
    follows of the community end, their stand-ins' memberships in it end, and no new
    follow or post from there is taken. Blocking again updates the reason."""
    permissions.check_block_instances_for(by, community)
    domain, reason = _clean_block(domain, reason)
    block, created = CommunityInstanceBlock.objects.active().get_or_create(
        community=community,
        domain=domain,
        defaults={"reason": reason, "created_by": by},
    )
    if not created and block.reason != reason:
        block.reason = reason
        block.save(update_fields=["reason"])
    actors = _actors_within(domain)
    GroupFollower.objects.filter(community=community, remote_actor__in=actors).delete()
    # Plain memberships and requests only: a stand-in never holds a cohort place (it
    # cannot be invited, having no way to log in here).
    Membership.objects.filter(
        community=community,
        member__remote_actor__in=actors,
        role=Membership.Role.MEMBER,
    ).delete()
    return block


@transaction.atomic
def unblock_instance_for_community(
    community: Community, domain: str, *, by: Member
) -> None:
    """Lift COMMUNITY's block of DOMAIN (its cohort only). Follows and memberships it
    ended stay ended. The block stays on record, lifted, for the public log."""
    permissions.check_block_instances_for(by, community)
    domain = blocks.normalize_domain(domain or "")
    lifted = (
        CommunityInstanceBlock.objects.active()
        .filter(community=community, domain=domain)
        .update(lifted_at=timezone.now(), lifted_by=by)
    )
    if not lifted:
        raise NotFound(f"{domain or 'That domain'} is not blocked here.")

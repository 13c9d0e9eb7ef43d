"""Federation in the JSON API: a member's choice about remote follows and their own
follow requests (nobody else's); the administrators' instance blocks, with CSV import
and export (404 for everyone else, like the rest of the staff API); and a cohort's
blocks of instances from its community."""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from fireside.accounts.authentication import member_auth, request_member
from fireside.accounts.models import Member
from fireside.communities.actions import SLUG_PATTERN
from fireside.communities.models import Community
from fireside.federation import actions, blocks, permissions
from fireside.federation.models import (
    CommunityInstanceBlock,
    Follower,
    InstanceBlock,
)
from fireside.staff.permissions import check_staff

router = Router(tags=["federation"], auth=member_auth)


class FederationSettingsOut(Schema):
    approve_follows: bool


class FederationSettingsIn(Schema):
    approve_follows: bool


class FollowerOut(Schema):
    id: int
    actor: str
    handle: str
    name: str
    state: Literal["pending", "accepted"]
    created_at: datetime
    accepted_at: datetime | None


class InstanceBlockOut(Schema):
    domain: str
    reason: str
    created_at: datetime


class InstanceBlockIn(Schema):
    # Checked by the action, after who asks: a member who is not staff hears 404 for
    # any body, an administrator hears what is wrong with the domain.
    domain: str = ""
    reason: str = ""


class ImportIn(Schema):
    csv: str = ""


class SkippedLineOut(Schema):
    line: int
    domain: str
    problem: str


class ImportOut(Schema):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    skipped: list[SkippedLineOut]


def _follower_out(follower: Follower) -> dict[str, Any]:
    actor = follower.remote_actor
    return {
        "id": follower.pk,
        "actor": actor.actor_id,
        "handle": actor.handle,
        "name": actor.name,
        "state": follower.state,
        "created_at": follower.created_at,
        "accepted_at": follower.accepted_at,
    }


def _block_out(block: InstanceBlock | CommunityInstanceBlock) -> dict[str, Any]:
    return {
        "domain": block.domain,
        "reason": block.reason,
        "created_at": block.created_at,
    }


def _own_follower(member: Member, follower_id: int) -> Follower:
    followers = Follower.objects.visible_to(member).select_related("remote_actor")
    return get_object_or_404(followers, pk=follower_id)


# A member's follows ------------------------------------------------------------------


@router.get("me/federation", response=FederationSettingsOut)
def get_federation_settings(request: HttpRequest) -> dict[str, Any]:
    """Whether follows from other servers wait for your yes (`approve_follows`)."""
    return {"approve_follows": actions.approves_follows(request_member(request))}


@router.put("me/federation", response=FederationSettingsOut)
def put_federation_settings(
    request: HttpRequest, payload: FederationSettingsIn
) -> dict[str, Any]:
    """Choose whether follows wait for your yes; turning it off accepts no request
    already waiting."""
    found = actions.set_approve_follows(
        request_member(request), payload.approve_follows
    )
    return {"approve_follows": found.approve_follows}


@router.get("me/followers", response=list[FollowerOut])
def list_followers(request: HttpRequest) -> list[dict[str, Any]]:
    """Your followers on other servers, waiting requests first. Only you see them, and
    there is no count."""
    followers = (
        Follower.objects.visible_to(request_member(request))
        .select_related("remote_actor")
        .order_by("-state", "created_at", "id")[:1000]
    )
    return [_follower_out(follower) for follower in followers]


@router.post("me/followers/{follower_id}/accept", response=FollowerOut)
def accept_follower(request: HttpRequest, follower_id: int) -> dict[str, Any]:
    """Accept a follow request: the follower's server is told (Accept)."""
    member = request_member(request)
    follower = actions.accept_follow(_own_follower(member, follower_id), by=member)
    return _follower_out(follower)


@router.post("me/followers/{follower_id}/refuse", response={204: None})
def refuse_follower(request: HttpRequest, follower_id: int) -> Status[None]:
    """Refuse a request, or remove a follower: their server is told (Reject)."""
    member = request_member(request)
    actions.refuse_follow(_own_follower(member, follower_id), by=member)
    return Status(204, None)


# The administrators' blocks ----------------------------------------------------------


def _staff(request: HttpRequest) -> Member:
    member = request_member(request)
    check_staff(member)
    return member


@router.get("staff/instance-blocks", response=list[InstanceBlockOut])
def list_instance_blocks(request: HttpRequest) -> list[dict[str, Any]]:
    """Every instance the administrators blocked, by domain."""
    _staff(request)
    return [_block_out(block) for block in InstanceBlock.objects.order_by("domain")]


@router.post("staff/instance-blocks", response={201: InstanceBlockOut})
def create_instance_block(
    request: HttpRequest, payload: InstanceBlockIn
) -> Status[dict[str, Any]]:
    """Block an instance and its subdomains: its follows, pending deliveries and open
    conversations end. The reason is public. Blocking it again updates the reason."""
    block = actions.block_instance(
        payload.domain, by=_staff(request), reason=payload.reason
    )
    return Status(201, _block_out(block))


@router.get(
    "staff/instance-blocks/export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The blocks in Mastodon's CSV format",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_instance_blocks(request: HttpRequest) -> HttpResponse:
    """The blocks as CSV, in Mastodon's format (#domain,#severity,...)."""
    _staff(request)
    response = HttpResponse(blocks.export_blocks_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="blocked-instances.csv"'
    return response


@router.post("staff/instance-blocks/import", response=ImportOut)
def import_instance_blocks(request: HttpRequest, payload: ImportIn) -> dict[str, Any]:
    """Block every domain of a CSV list (`csv`: Mastodon's export, or a `domain,reason`
    list). Lines that cannot be imported are reported with their number and why."""
    report = actions.import_blocks_csv(payload.csv, by=_staff(request))
    return {
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": [
            {"line": number, "domain": domain, "problem": problem}
            for number, domain, problem in report.skipped
        ],
    }


@router.delete("staff/instance-blocks/{domain}", response={204: None})
def delete_instance_block(request: HttpRequest, domain: str) -> Status[None]:
    """Lift a block: its people's stand-ins open again; ended follows stay ended."""
    actions.unblock_instance(domain, by=_staff(request))
    return Status(204, None)


# A cohort's blocks -------------------------------------------------------------------


def _cohort_community(request: HttpRequest, slug: str) -> tuple[Member, Community]:
    """The community at SLUG if the member may see it (else 404); they must belong to
    its cohort (else 403)."""
    member = request_member(request)
    if not SLUG_PATTERN.fullmatch(slug):
        raise Http404
    community = get_object_or_404(Community.objects.visible_to(member), slug=slug)
    permissions.check_block_instances_for(member, community)
    return member, community


@router.get("communities/{slug}/instance-blocks", response=list[InstanceBlockOut])
def list_community_instance_blocks(
    request: HttpRequest, slug: str
) -> list[dict[str, Any]]:
    """The instances the cohort keeps out of the community (the cohort only)."""
    _, community = _cohort_community(request, slug)
    found = (
        CommunityInstanceBlock.objects.active()
        .filter(community=community)
        .order_by("domain")
    )
    return [_block_out(block) for block in found]


@router.post("communities/{slug}/instance-blocks", response={201: InstanceBlockOut})
def create_community_instance_block(
    request: HttpRequest, slug: str, payload: InstanceBlockIn
) -> Status[dict[str, Any]]:
    """Keep an instance out of the community: its follows of the community and its
    people's memberships end, and no follow or post from there is taken."""
    member, community = _cohort_community(request, slug)
    block = actions.block_instance_for_community(
        community, payload.domain, by=member, reason=payload.reason
    )
    return Status(201, _block_out(block))


@router.delete("communities/{slug}/instance-blocks/{domain}", response={204: None})
def delete_community_instance_block(
    request: HttpRequest, slug: str, domain: str
) -> Status[None]:
    """Lift the community's block of an instance."""
    member, community = _cohort_community(request, slug)
    actions.unblock_instance_for_community(community, domain, by=member)
    return Status(204, None)

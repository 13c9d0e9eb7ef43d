"""Blocks and mutes in the JSON API. Blocking someone ends every open conversation between
the two, for both, and stops their requests; muting hides their posts. Neither is told."""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from fireside.accounts.authentication import member_auth, request_member
from fireside.accounts.handles import HANDLE_PATTERN, normalize_handle
from fireside.accounts.models import Member
from fireside.core.exceptions import NotFound
from fireside.safety import actions
from fireside.safety.models import Block, Mute

router = Router(tags=["safety"], auth=member_auth)


class BlockIn(Schema):
    handle: str


class BlockOut(Schema):
    handle: str
    display_name: str
    blocked_at: datetime


class HandleNotFound(NotFound):
    def __init__(self, handle: str, message: str) -> None:
        self.errors = {"handle": [message]}
        super().__init__(message)


def _block_out(block: Block) -> BlockOut:
    return BlockOut(
        handle=block.blocked.handle,
        display_name=block.blocked.display_name,
        blocked_at=block.created_at,
    )


def _handle(raw: str) -> str:
    handle = normalize_handle(raw)
    # No handle has another shape; PostgreSQL would refuse some (NUL).
    if not HANDLE_PATTERN.fullmatch(handle):
        raise HandleNotFound(handle, f"There is no member @{handle[:30]}.")
    return handle


@router.get("blocks", response=list[BlockOut])
def list_blocks(request: HttpRequest) -> list[BlockOut]:
    """The members one blocked, most recent first."""
    blocks = (
        Block.objects.filter(blocker=request_member(request))
        .select_related("blocked")
        .order_by("-created_at", "-id")
    )
    return [_block_out(block) for block in blocks]


@router.post("blocks", response={200: BlockOut, 201: BlockOut})
def block_member(request: HttpRequest, payload: BlockIn) -> Status[BlockOut]:
    """Block a member by `handle`: 201, or 200 when they were blocked already."""
    member = request_member(request)
    handle = _handle(payload.handle)
    target = Member.objects.visible_to(member).filter(handle=handle).first()
    if target is None:
        raise HandleNotFound(handle, f"There is no member @{handle}.")
    started = timezone.now()
    block = actions.block_member(target, by=member)
    return Status(201 if block.created_at >= started else 200, _block_out(block))


@router.delete("blocks/{handle}", response={204: None})
def unblock_member(request: HttpRequest, handle: str) -> Status[None]:
    """Lift a block (404 when there is none); conversations that ended stay ended."""
    member = request_member(request)
    handle = _handle(handle)
    block = (
        Block.objects.filter(blocker=member, blocked__handle=handle)
        .select_related("blocked")
        .first()
    )
    if block is None:
        raise HandleNotFound(handle, f"You have not blocked @{handle}.")
    actions.unblock_member(block.blocked, by=member)
    return Status(204, None)


class MuteOut(Schema):
    handle: str
    display_name: str
    muted_at: datetime


def _mute_out(mute: Mute) -> MuteOut:
    return MuteOut(
        handle=mute.muted.handle,
        display_name=mute.muted.display_name,
        muted_at=mute.created_at,
    )


@router.get("mutes", response=list[MuteOut])
def list_mutes(request: HttpRequest) -> list[MuteOut]:
    """The members one muted, most recent first."""
    mutes = (
        Mute.objects.by(request_member(request))
        .select_related("muted")
        .order_by("-created_at", "-id")
    )
    return [_mute_out(mute) for mute in mutes]


@router.post("mutes", response={200: MuteOut, 201: MuteOut})
def mute_member(request: HttpRequest, payload: BlockIn) -> Status[MuteOut]:
    """Mute a member by `handle`: their posts leave your lists. 201, or 200 when they were
    muted already."""
    member = request_member(request)
    handle = _handle(payload.handle)
    target = Member.objects.visible_to(member).filter(handle=handle).first()
    if target is None:
        raise HandleNotFound(handle, f"There is no member @{handle}.")
    started = timezone.now()
    mute = actions.mute_member(target, by=member)
    return Status(201 if mute.created_at >= started else 200, _mute_out(mute))


@router.delete("mutes/{handle}", response={204: None})
def unmute_member(request: HttpRequest, handle: str) -> Status[None]:
    """Lift a mute (404 when there is none)."""
    member = request_member(request)
    handle = _handle(handle)
    mute = (
        Mute.objects.by(member)
        .filter(muted__handle=handle)
        .select_related("muted")
        .first()
    )
    if mute is None:
        raise HandleNotFound(handle, f"You have not muted @{handle}.")
    actions.unmute_member(mute.muted, by=member)
    return Status(204, None)

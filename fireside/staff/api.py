"""The staff area in the JSON API: site-wide suspensions and the review of unfamiliar-
looking recent accounts. The instance's administrators only; 404 for every other member."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fireside.accounts import actions as accounts
from fireside.accounts.authentication import member_auth, request_member
from fireside.accounts.handles import normalize_handle
from fireside.accounts.models import Member
from fireside.core.exceptions import NotFound
from fireside.staff import permissions
from fireside.staff.models import AccountSuspension
from fireside.staff.unfamiliar import accounts_to_review

router = Router(tags=["staff"], auth=member_auth)


class AccountToReviewOut(Schema):
    handle: str
    display_name: str
    joined: datetime
    codes: list[str]
    reasons: list[str]
    requests: int
    held: int
    turned_away: int


class SuspendIn(Schema):
    # Checked by the action, after who asks: a member who is not staff hears 404 for
    # any body, an administrator hears what is wrong with the reason.
    reason: str = ""


class SuspensionOut(Schema):
    id: int
    handle: str
    by: str | None
    reason: str
    at: datetime
    lifted_at: datetime | None
    lifted_by: str | None


def _staff(request: HttpRequest) -> Member:
    member = request_member(request)
    permissions.check_staff(member)
    return member


def _member_named(handle: str) -> Member:
    member = Member.objects.filter(handle=normalize_handle(handle[:60])).first()
    if member is None:
        raise NotFound()
    return member


def _suspension_out(suspension: AccountSuspension) -> dict[str, Any]:
    return {
        "id": suspension.pk,
        "handle": suspension.member.handle,
        "by": suspension.by.handle if suspension.by else None,
        "reason": suspension.reason,
        "at": suspension.at,
        "lifted_at": suspension.lifted_at,
        "lifted_by": suspension.lifted_by.handle if suspension.lifted_by else None,
    }


@router.get("accounts/unfamiliar", response=list[AccountToReviewOut])
def list_unfamiliar_accounts(request: HttpRequest) -> list[dict[str, Any]]:
    """Accounts that joined in the last 30 days, strongest unfamiliar-sender signals
    first, each with its reasons in words."""
    _staff(request)
    return [
        {
            "handle": entry.member.handle,
            "display_name": entry.member.display_name,
            "joined": entry.member.joined_at,
            "codes": entry.codes,
            "reasons": entry.reasons,
            "requests": entry.requests,
            "held": entry.held,
            "turned_away": entry.turned_away,
        }
        for entry in accounts_to_review()
    ]


@router.post("accounts/{handle}/suspend", response={201: SuspensionOut})
def suspend_account(
    request: HttpRequest, handle: str, payload: SuspendIn
) -> Status[dict[str, Any]]:
    """Suspend the account site-wide with a reason: it is logged out everywhere, its
    tokens are revoked and its sockets closed. 403 for your own account or another
    administrator's (unless you are a superuser)."""
    by = _staff(request)
    suspension = accounts.suspend_account(
        _member_named(handle), by=by, reason=payload.reason
    )
    return Status(201, _suspension_out(suspension))


@router.post("accounts/{handle}/restore", response=SuspensionOut)
def restore_account(request: HttpRequest, handle: str) -> dict[str, Any]:
    """Lift the account's suspension: it can log in again (and issue new tokens)."""
    by = _staff(request)
    return _suspension_out(accounts.restore_account(_member_named(handle), by=by))


@router.get("suspensions", response=list[SuspensionOut])
def list_suspensions(request: HttpRequest) -> list[dict[str, Any]]:
    """Current site-wide suspensions, newest first."""
    member = _staff(request)
    suspensions = (
        AccountSuspension.objects.visible_to(member)
        .current()
        .select_related("member", "by", "lifted_by")
        .order_by("-at", "-id")[:200]
    )
    return [_suspension_out(suspension) for suspension in suspensions]

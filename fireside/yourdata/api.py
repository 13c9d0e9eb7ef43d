"""Your data in the API: `POST me/export` · `GET me/export` (start an export; its progress
and download link) and `DELETE me` (schedule the account's deletion), with `GET
me/deletion` and `POST me/deletion/cancel` for the grace period."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status

from fireside.accounts.api import me_router
from fireside.accounts.authentication import member_auth, request_member
from fireside.core.exceptions import NotFound
from fireside.yourdata import actions
from fireside.yourdata.models import Deletion, Export

router = Router(tags=["your data"], auth=member_auth)


class ExportOut(Schema):
    state: Literal["queued", "building", "ready", "expired", "failed"]
    progress: int
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    #: Present while the export is ready; whoever has it can download the zip.
    download_url: str | None


class DeletionIn(Schema):
    password: str


class DeletionOut(Schema):
    state: Literal["pending", "cancelled"]
    requested_at: datetime
    #: When the deletion becomes final (and can no longer be cancelled).
    final_at: datetime


def _export_out(request: HttpRequest, export: Export) -> dict[str, Any]:
    ready = export.is_ready
    return {
        "state": export.current_state,
        "progress": 100 if ready else export.progress,
        "requested_at": export.requested_at,
        "ready_at": export.ready_at,
        "expires_at": export.expires_at,
        "download_url": (
            request.build_absolute_uri(
                reverse("export_download", args=[actions.download_token(export)])
            )
            if ready
            else None
        ),
    }


def _deletion_out(deletion: Deletion) -> dict[str, Any]:
    return {
        "state": "pending" if deletion.is_pending else "cancelled",
        "requested_at": deletion.requested_at,
        "final_at": deletion.final_at,
    }


@router.post("me/export", response={202: ExportOut})
def start_export(request: HttpRequest) -> Status[dict[str, Any]]:
    """Start building a zip of everything that is yours (one at a time, 3 a day);
    follow it with `GET me/export`."""
    export = actions.request_export(request_member(request))
    export.refresh_from_db()
    return Status(202, _export_out(request, export))


@router.get("me/export", response=ExportOut)
def export_status(request: HttpRequest) -> dict[str, Any]:
    """Your latest export: its state, progress (0–100) and, once ready, a download link
    valid for 7 days."""
    export = Export.objects.visible_to(request_member(request)).latest_first().first()
    if export is None:
        raise NotFound(
            "You have not asked for an export yet. Start one with POST me/export.",
            code="no_export",
        )
    return _export_out(request, export)


@me_router.delete("", response={202: DeletionOut})
def delete_me(request: HttpRequest, payload: DeletionIn) -> Status[dict[str, Any]]:
    """Delete your account, after 14 days in which you can cancel (your password
    confirms it). Answers with the date the deletion becomes final. Registered on the
    `me` router (the path is `me`); it lives here with the rest of your data."""
    deletion = actions.request_deletion(
        request_member(request), password=payload.password
    )
    return Status(202, _deletion_out(deletion))


@router.get("me/deletion", response=DeletionOut)
def deletion_status(request: HttpRequest) -> dict[str, Any]:
    """Your pending deletion, if you asked for one."""
    deletion = actions.pending_deletion(request_member(request))
    if deletion is None:
        raise NotFound(
            "Your account is not scheduled for deletion.", code="no_deletion"
        )
    return _deletion_out(deletion)


@router.post("me/deletion/cancel", response=DeletionOut)
def cancel_deletion(request: HttpRequest) -> dict[str, Any]:
    """Cancel your pending deletion: nothing will be deleted."""
    return _deletion_out(actions.cancel_deletion(request_member(request)))

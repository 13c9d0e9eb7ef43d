"""The "your account will be deleted" banner. Logging in (and asking for or cancelling a
deletion) notes the pending deletion in the session, so pages show the banner without a
query of their own."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest

from fireside.yourdata.actions import pending_deletion

SESSION_KEY = "yourdata_deletion_final_at"


def remember_pending_deletion(request: HttpRequest, member: Any) -> None:
    """Note MEMBER's pending deletion (or its absence) in REQUEST's session."""
    deletion = pending_deletion(member)
    if deletion is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = deletion.final_at.isoformat()


def pending_final_at(request: HttpRequest) -> datetime | None:
    """When the logged-in member's account will be deleted, as noted in the session."""
    session = getattr(request, "session", None)
    value = session.get(SESSION_KEY) if session is not None else None
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None

"""Telling members: an in-app notice they can reread (Settings → Moderation notices) and
a live event to their open sockets."""

from typing import Any

from django.utils import timezone

from fireside.live.broadcast import broadcast_on_commit
from fireside.live.groups import member_group
from fireside.moderation.models import Case, ModAction, Notice


def notify(
    member: Any,
    kind: str,
    *,
    action: ModAction | None = None,
    case: Case | None = None,
) -> Notice:
    """Leave MEMBER a notice of KIND and push a `moderation.notice` event (the ids only;
    the page or the API shows the words)."""
    notice = Notice.objects.create(member=member, kind=kind, action=action, case=case)
    broadcast_on_commit(
        member_group(member.pk),
        {"type": "moderation.notice", "notice": notice.pk, "kind": str(kind)},
    )
    return notice


def mark_notices_read(member: Any) -> int:
    """Mark all of MEMBER's moderation notices read; return how many were unread."""
    return Notice.objects.visible_to(member).unread().update(read_at=timezone.now())

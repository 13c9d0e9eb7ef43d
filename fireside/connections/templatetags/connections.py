"""Tags and filters that ask fireside.connections on a page's behalf."""

from typing import Any

from django import template

from fireside.connections import permissions, queries
from fireside.connections.models import AuditNotice, ConnectionOffer
from fireside.dialogues.models import Dialogue

register = template.Library()


@register.inclusion_tag("connections/keep_in_touch.html", takes_context=True)
def keep_in_touch(
    context: dict[str, Any], other: Any, conversation: Any = None
) -> dict[str, Any]:
    """`{% keep_in_touch other conversation %}`: where the viewer stands with OTHER, and
    the button that fits (offer, accept, or nothing)."""
    viewer = context.get("user")
    state = ""
    if viewer is not None and viewer.is_authenticated and viewer.pk != other.pk:
        if queries.is_connected(viewer, other):
            state = "connected"
        elif (
            ConnectionOffer.objects.received_by(viewer)
            .filter(from_member=other)
            .exists()
        ):
            state = "received"
        elif ConnectionOffer.objects.sent_by(viewer).filter(to_member=other).exists():
            state = "sent"
        elif permissions.can_offer_connection(viewer, other):
            state = "can_offer"
    return {
        "other": other,
        "conversation": conversation,
        "state": state,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("connections/audit_notice.html", takes_context=True)
def audit_notice(context: dict[str, Any]) -> dict[str, Any]:
    """`{% audit_notice %}`: the monthly reminder to look over one's connections."""
    viewer = context.get("user")
    notice = AuditNotice.objects.visible_to(viewer).first()
    return {"notice": notice, "csrf_token": context.get("csrf_token")}


@register.filter
def is_dialogue(item: Any) -> bool:
    """`{% if item|is_dialogue %}`: a dialogue among the posts of the home feed."""
    return isinstance(item, Dialogue)


@register.filter
def waited_long(rows: Any, viewer: Any) -> list[Any]:
    """`{% with long=rows|waited_long:user %}`: the inbox rows (already loaded) of
    conversations waiting on VIEWER for more than 3 days."""
    return [row for row in rows if queries.has_waited_long(row.conversation, viewer)]


@register.filter
def has_waited_long(conversation: Any, viewer: Any) -> bool:
    return queries.has_waited_long(conversation, viewer)

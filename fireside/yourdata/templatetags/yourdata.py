from datetime import datetime
from typing import Any

from django import template

from fireside.yourdata.banner import pending_final_at

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_deletion_at(context: dict[str, Any]) -> datetime | None:
    """When the logged-in member's account will be deleted, or None."""
    request = context.get("request")
    return pending_final_at(request) if request is not None else None

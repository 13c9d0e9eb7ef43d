"""Template filters every page may use; loaded as a builtin."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from fireside.core.text import render_markdown

register = template.Library()


@register.filter
def markdown(source: str) -> SafeString:
    return render_markdown(source)


@register.filter
def when(moment: datetime | None) -> SafeString:
    """A relative time ("3 days ago") with the exact time on hover and for machines."""
    if moment is None:
        return format_html("")
    exact = timezone.localtime(moment)
    if timezone.now() - moment < timedelta(minutes=1):
        relative = "just now"
    else:
        relative = f"{timesince(moment, depth=1)} ago"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        exact.isoformat(),
        exact.strftime("%-d %B %Y, %H:%M %Z"),
        relative,
    )

"""`{% activity_alternate member_or_community %}`: the <link rel="alternate"> that tells
fediverse software where a page's ActivityPub actor is, while federation is on."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from fireside.accounts.models import Member
from fireside.communities.models import Community
from fireside.federation import conf, objects

register = template.Library()


@register.simple_tag
def activity_alternate(subject: object) -> SafeString | str:
    if not conf.enabled():
        return ""
    if isinstance(subject, Member) and not subject.is_remote:
        href = conf.actor_id(subject)
    elif isinstance(subject, Community) and objects.federates(subject):
        href = objects.group_actor_id(subject)
    else:
        return ""
    return format_html(
        '<link rel="alternate" type="{}" href="{}">', conf.ACTIVITY_JSON, href
    )

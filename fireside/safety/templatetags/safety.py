"""Filters that ask fireside.safety.permissions on a page's behalf."""

from typing import Any

from django import template

from fireside.safety import permissions

register = template.Library()


@register.filter
def has_blocked(member: Any, other: Any) -> bool:
    """`{% if user|has_blocked:member %}`"""
    return permissions.has_blocked(member, other)


@register.filter
def has_muted(member: Any, other: Any) -> bool:
    """`{% if user|has_muted:post.author %}`"""
    return permissions.has_muted(member, other)


@register.filter
def may_talk_with(viewer: Any, member: Any) -> bool:
    """`{% if user|may_talk_with:post.author %}`: no block either way."""
    return permissions.can_see_talk_entry(viewer, member)


@register.filter
def hides_posts_of(member: Any, author: Any) -> bool:
    """`{% if user|hides_posts_of:post.author %}`: MEMBER muted or blocked AUTHOR."""
    return permissions.has_muted(member, author) or permissions.has_blocked(
        member, author
    )

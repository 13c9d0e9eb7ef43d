"""What an export holds: everything that is a member's, as one JSON document matching
docs/export-schema.json, and the zip it ships in (the JSON, a readable HTML rendering and a
README). Reads only; yourdata/actions.py decides when to build and where the file goes.

The other member of each conversation appears by handle and display name only, with their
messages in conversations the member took part in (the member reads them already); nothing
else of anyone else is included: not other reporters, not other raters, not the cases'
internal notes."""

import json
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from fireside.core.text import render_markdown

#: Bumped when a field changes meaning or goes; new optional fields do not bump it.
FORMAT_VERSION = 1
JSON_NAME = "fireside-export.json"
HTML_NAME = "index.html"
README_NAME = "README.txt"

Progress = Callable[[int], None]


def _at(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person(member: Any) -> dict[str, Any] | None:
    """What the export says of anyone but the member: who they are, nothing more."""
    if member is None:
        return None
    return {"handle": member.handle, "display_name": member.display_name}


def _profile(member: Any) -> dict[str, Any]:
    from fireside.accounts.models import ApiToken

    return {
        "handle": member.handle,
        "display_name": member.display_name,
        "email": member.email,
        "email_verified_at": _at(member.email_verified_at),
        "bio": member.bio,
        "interests": [str(item) for item in member.interests or []],
        "trust_level": member.trust_level,
        "joined_at": _at(member.joined_at),
        "settings": {
            "who_may_ask": member.who_may_ask,
            "requests_paused": member.requests_paused,
        },
        "api_tokens": [
            {
                "name": token.name,
                "hint": token.hint,
                "created_at": _at(token.created_at),
                "last_used_at": _at(token.last_used_at),
                "revoked_at": _at(token.revoked_at),
            }
            for token in ApiToken.objects.owned_by(member).order_by("created_at", "id")
        ],
    }


def _communities(member: Any) -> dict[str, Any]:
    from fireside.communities.models import Community, Membership

    memberships = (
        Membership.objects.filter(member=member)
        .select_related("community")
        .order_by("requested_at", "id")
    )
    created = Community.objects.filter(created_by=member).order_by("created_at", "id")
    return {
        "memberships": [
            {
                "community": {"slug": m.community.slug, "name": m.community.name},
                "state": m.state,
                "role": m.role,
                "requested_at": _at(m.requested_at),
                "joined_at": _at(m.joined_at),
                "request_note": m.request_note,
            }
            for m in memberships
        ],
        "created": [
            {
                "slug": community.slug,
                "name": community.name,
                "description": community.description,
                "created_at": _at(community.created_at),
            }
            for community in created
        ],
    }


def _posts(member: Any) -> list[dict[str, Any]]:
    from fireside.posts.models import Post

    posts = (
        Post.objects.filter(author=member)
        .select_related("community")
        .prefetch_related("revisions")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": post.pk,
            "community": post.community.slug,
            "title": post.title,
            "body": post.body,
            "created_at": _at(post.created_at),
            "edited_at": _at(post.edited_at),
            "deleted_at": _at(post.deleted_at),
            "hidden_at": _at(post.hidden_at),
            "revisions": [
                {
                    "title": revision.title,
                    "body": revision.body,
                    "written_at": _at(revision.written_at),
                    "replaced_at": _at(revision.replaced_at),
                }
                for revision in sorted(post.revisions.all(), key=lambda r: r.written_at)
            ],
        }
        for post in posts
    ]


def _conversations(member: Any) -> list[dict[str, Any]]:
    from fireside.conversations.models import Conversation, Message, MessageRevision

    conversations = list(
        Conversation.objects.visible_to(member)
        .select_related("initiator", "recipient")
        .order_by("created_at", "id")
    )
    messages_of: dict[int, list[Message]] = {}
    for message in (
        Message.objects.filter(conversation__in=conversations)
        .select_related("author")
        .order_by("conversation_id", "seq")
    ):
        messages_of.setdefault(message.conversation_id, []).append(message)
    # Edit histories of the member's own messages only: the other member's earlier
    # wording was never theirs to read.
    revisions_of: dict[int, list[MessageRevision]] = {}
    for revision in MessageRevision.objects.filter(
        message__conversation__in=conversations, message__author=member
    ).order_by("written_at", "id"):
        revisions_of.setdefault(revision.message_id, []).append(revision)

    result = []
    for conversation in conversations:
        other = conversation.other(member)
        result.append(
            {
                "id": conversation.pk,
                "with": _person(other),
                "started_by_you": conversation.initiator_id == member.pk,
                "state": conversation.state,
                "post": conversation.post_id,
                "created_at": _at(conversation.created_at),
                "messages": [
                    {
                        "seq": message.seq,
                        "author": message.author.handle if message.author else None,
                        "yours": message.author_id == member.pk,
                        "body": "" if message.deleted_at else message.body,
                        "sent_at": _at(message.sent_at),
                        "edited_at": _at(message.edited_at),
                        "deleted": message.deleted_at is not None,
                        "revisions": [
                            {
                                "body": revision.body,
                                "written_at": _at(revision.written_at),
                                "replaced_at": _at(revision.replaced_at),
                            }
                            for revision in revisions_of.get(message.pk, [])
                        ],
                    }
                    for message in messages_of.get(conversation.pk, [])
                ],
            }
        )
    return result


def _dialogues(member: Any) -> list[dict[str, Any]]:
    from fireside.dialogues.models import Dialogue

    dialogues = (
        Dialogue.objects.involving(member)
        .select_related("community", "conversation__initiator")
        .select_related("conversation__recipient", "post")
        .prefetch_related("messages__author")
        .order_by("proposed_at", "id")
    )
    return [
        {
            "id": dialogue.pk,
            "conversation": dialogue.conversation_id,
            "community": dialogue.community.slug,
            "post": dialogue.post_id,
            "title": dialogue.display_title,
            "state": dialogue.state,
            "from_seq": dialogue.from_seq,
            "to_seq": dialogue.to_seq,
            "proposed_by_you": dialogue.proposed_by_id == member.pk,
            "proposed_at": _at(dialogue.proposed_at),
            "published_at": _at(dialogue.published_at),
            "withdrawn_at": _at(dialogue.withdrawn_at),
            "messages": [
                {
                    "seq": message.seq,
                    "author": message.author.handle if message.author else None,
                    "body": message.body,
                    "sent_at": _at(message.sent_at),
                    "deleted": message.deleted_at is not None,
                }
                for message in dialogue.messages.all()
            ],
        }
        for dialogue in dialogues
    ]


def _ratings(member: Any) -> list[dict[str, Any]]:
    from fireside.ratings.models import Rating

    return [
        {
            "target": {
                "type": rating.target_type,
                "id": rating.post_id or rating.dialogue_id,
            },
            "community": rating.community.slug,
            "value": rating.value,
            "tags": [str(tag) for tag in rating.tags or []],
            "created_at": _at(rating.created_at),
            "updated_at": _at(rating.updated_at),
        }
        for rating in Rating.objects.by(member)
        .select_related("community")
        .order_by("created_at", "id")
    ]


def _connections(member: Any) -> dict[str, Any]:
    from fireside.accounts.models import Member
    from fireside.connections.models import Connection, ConnectionOffer

    people = {
        m.pk: m
        for m in Member.objects.filter(
            Q(pk__in=Connection.objects.filter(member=member).values("other_id"))
            | Q(pk__in=ConnectionOffer.objects.sent_by(member).values("to_member_id"))
        )
    }
    return {
        "connections": [
            {
                **(_person(people.get(c.other_id)) or {}),
                "connected_at": _at(c.connected_at),
            }
            for c in Connection.objects.visible_to(member).order_by(
                "connected_at", "id"
            )
        ],
        "offers_made": [
            {
                **(_person(people.get(offer.to_member_id)) or {}),
                "offered_at": _at(offer.offered_at),
            }
            for offer in ConnectionOffer.objects.sent_by(member).order_by("offered_at")
        ],
    }


def _safety(member: Any) -> dict[str, Any]:
    from fireside.safety.models import Block, Mute

    return {
        "blocks": [
            {**(_person(block.blocked) or {}), "created_at": _at(block.created_at)}
            for block in Block.objects.filter(blocker=member)
            .select_related("blocked")
            .order_by("created_at", "id")
        ],
        "mutes": [
            {**(_person(mute.muted) or {}), "created_at": _at(mute.created_at)}
            for mute in Mute.objects.by(member)
            .select_related("muted")
            .order_by("created_at", "id")
        ],
    }


def _reports(member: Any) -> list[dict[str, Any]]:
    """The reports the member filed, with where their case stands; never the other
    reports of the same case, nor who else reported."""
    from fireside.moderation.models import Report

    return [
        {
            "id": report.pk,
            "target": {"type": report.case.target_type, "id": report.case.target_id},
            "community": report.case.community.slug if report.case.community else None,
            "rule_number": report.rule_number,
            "rule_text": report.rule_text,
            "reason": report.reason,
            "created_at": _at(report.created_at),
            "case_state": report.case.state,
        }
        for report in Report.objects.by(member)
        .select_related("case__community")
        .order_by("created_at", "id")
    ]


def _moderation(member: Any) -> dict[str, Any]:
    """Actions about the member that took effect (as `me/moderation` shows them), the
    notices they received, and their appeals."""
    from fireside.appeals.models import Appeal
    from fireside.moderation.models import ModAction, Notice
    from fireside.staff.models import AccountSuspension

    actions = (
        ModAction.objects.against(member)
        .exclude(in_force_at__isnull=True)
        .select_related("community")
        .order_by("in_force_at", "id")
    )
    return {
        "actions": [
            {
                "id": action.pk,
                "kind": action.kind,
                "community": action.community.slug if action.community else None,
                "rule_number": action.rule_number,
                "rule_text": action.rule_text,
                "reason": action.reason,
                "days": action.days,
                "state": action.current_state,
                "in_force_at": _at(action.in_force_at),
                "ends_at": _at(action.ends_at),
                "overturned_at": _at(action.overturned_at),
                "overturned_reason": action.overturned_reason,
            }
            for action in actions
        ],
        "notices": [
            {
                "kind": notice.kind,
                "action": notice.action_id,
                "created_at": _at(notice.created_at),
                "read_at": _at(notice.read_at),
            }
            for notice in Notice.objects.visible_to(member).order_by("created_at", "id")
        ],
        "appeals": [
            {
                "id": appeal.pk,
                "action": appeal.action_id,
                "reason": appeal.reason,
                "state": appeal.state,
                "decision_reason": appeal.decision_reason,
                "created_at": _at(appeal.created_at),
                "decided_at": _at(appeal.decided_at),
            }
            for appeal in Appeal.objects.by(member).order_by("created_at", "id")
        ],
        "account_suspensions": [
            {
                "reason": suspension.reason,
                "at": _at(suspension.at),
                "lifted_at": _at(suspension.lifted_at),
            }
            for suspension in AccountSuspension.objects.filter(member=member).order_by(
                "at", "id"
            )
        ],
    }


def _trust(member: Any) -> dict[str, Any]:
    from fireside.trust.models import ActiveDay, TrustChange

    return {
        "level": member.trust_level,
        "changes": [
            {
                "from_level": change.from_level,
                "to_level": change.to_level,
                "reason": change.reason,
                "changed_at": _at(change.changed_at),
            }
            for change in TrustChange.objects.filter(member=member).order_by(
                "changed_at", "id"
            )
        ],
        "active_days": [
            _at(day)
            for day in ActiveDay.objects.filter(member=member)
            .order_by("day")
            .values_list("day", flat=True)
        ],
    }


#: The document's parts in order, each with the progress reached once it is read.
_PARTS: list[tuple[str, Callable[[Any], Any], int]] = [
    ("profile", _profile, 10),
    ("communities", _communities, 20),
    ("posts", _posts, 35),
    ("conversations", _conversations, 60),
    ("dialogues", _dialogues, 70),
    ("ratings", _ratings, 75),
    ("connections", _connections, 80),
    ("safety", _safety, 82),
    ("reports", _reports, 85),
    ("moderation", _moderation, 88),
    ("trust", _trust, 90),
]


def document_of(member: Any, progress: Progress | None = None) -> dict[str, Any]:
    """Return everything that is MEMBER's as one JSON-ready dict (docs/export-schema.json),
    calling PROGRESS with a percentage after each part."""
    document: dict[str, Any] = {
        "format": "fireside-export",
        "version": FORMAT_VERSION,
        "exported_at": _at(timezone.now()),
        "site": settings.SITE_URL,
    }
    for name, read, reached in _PARTS:
        document[name] = read(member)
        if progress is not None:
            progress(reached)
    return document


def _html(document: dict[str, Any]) -> str:
    """The readable rendering: one self-contained page, styles inline in a <style>
    element, every piece of user text through render_markdown, and no script at all."""

    def rendered(text: str) -> str:
        return str(render_markdown(text)) if text else ""

    for post in document["posts"]:
        post["body_html"] = rendered(post["body"])
    for conversation in document["conversations"]:
        for message in conversation["messages"]:
            message["body_html"] = rendered(message["body"])
    for dialogue in document["dialogues"]:
        for message in dialogue["messages"]:
            message["body_html"] = rendered(message["body"])
    document["profile"]["bio_html"] = rendered(document["profile"]["bio"])
    return render_to_string("yourdata/export_index.html", {"export": document})


def write_zip(document: dict[str, Any], path: Path) -> int:
    """Write DOCUMENT to a zip at PATH (atomically: a reader never sees half a file) and
    return its size in bytes."""
    partial = path.with_suffix(".partial")
    readme = render_to_string(
        "yourdata/export_readme.txt",
        {"export": document, "json_name": JSON_NAME, "html_name": HTML_NAME},
    )
    # The HTML rendering adds fields of its own; the JSON is written first, untouched.
    data = json.dumps(document, ensure_ascii=False, indent=2)
    html = _html(json.loads(data))
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, data)
        archive.writestr(HTML_NAME, html)
        archive.writestr(README_NAME, readme)
    partial.rename(path)
    return path.stat().st_size

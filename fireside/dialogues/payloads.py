"""The JSON shapes of dialogues, shared by the dialogues API and `GET posts/{id}`."""

from typing import Any

from fireside.core.text import render_markdown
from fireside.dialogues import queries
from fireside.dialogues.models import Dialogue


def summary_payload(dialogue: Dialogue) -> dict[str, Any]:
    return {
        "id": dialogue.pk,
        "community": {"slug": dialogue.community.slug, "name": dialogue.community.name},
        "post": dialogue.post_id,
        "title": dialogue.display_title,
        "participants": [member.handle for member in dialogue.participants()],
        "published_at": dialogue.published_at,
    }


def dialogue_payload(dialogue: Dialogue) -> dict[str, Any]:
    """The dialogue with its messages, each rendered through the sanitizer."""
    return {
        **summary_payload(dialogue),
        "state": dialogue.state,
        "messages": [
            {
                "seq": turn.seq,
                "author": turn.author.handle if turn.author else None,
                "body_html": "" if turn.is_deleted else str(render_markdown(turn.body)),
                "sent_at": turn.sent_at,
                "deleted": turn.is_deleted,
            }
            for turn in queries.dialogue_turns(dialogue)
        ],
    }


def post_dialogue_summaries(post: Any, viewer: Any) -> list[dict[str, Any]]:
    """The dialogues published under POST that VIEWER may read, for `GET posts/{id}`."""
    return [
        summary_payload(dialogue) for dialogue in queries.post_dialogues(post, viewer)
    ]

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.connections import actions as connection_actions
from fireside.conversations import actions as conversation_actions
from fireside.dialogues import actions as dialogue_actions
from fireside.moderation import actions as moderation_actions
from fireside.posts import actions as post_actions
from fireside.ratings import actions as rating_actions
from fireside.safety import actions as safety_actions


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"


@pytest.fixture
def later(monkeypatch):
    """Move the clock (timezone.now and time.time) forward by a timedelta."""
    real_now = timezone.now
    real_time = time.time
    shift = timedelta()

    def move(delta):
        nonlocal shift
        shift += delta

    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)
    monkeypatch.setattr(time, "time", lambda: real_time() + shift.total_seconds())
    return move


#: Words that only the deleting member wrote or owns; after deletion none is anywhere.
ZELDA = {
    "handle": "zelda_gone",
    "email": "zelda.gone@example.org",
    "display_name": "Zelda Quietwater",
    "bio": "Keeper of quiet lighthouses",
    "post_title": "Violet umbrellas",
    "post_body": "The violet umbrella remembers rain.",
    "post_body_edited": "The violet umbrella remembers every rain.",
    "opening": "Hello there, saffron kites fly low today",
    "reply": "zelda says marmalade comets",
    "reply_edited": "zelda says marmalade comets, twice",
}
BOB_WORDS = "Bob answers about tangerine lanterns"
SECRET = "a third party secret: cobalt harbour"


@dataclass
class World:
    zelda: Any
    bob: Any
    charlie: Any
    community: Any
    post: Any
    conversation: Any
    secret_conversation: Any
    dialogue: Any


def _commit(callback):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return callback()


@pytest.fixture
def world(db):
    """Zelda posts, talks with Bob (both write; her words are edited once), publishes a
    dialogue with him, keeps in touch with him, rates Charlie's post, blocks and mutes
    people, and Bob reports one of her messages. Bob and Charlie talk privately too."""
    zelda = MemberFactory(
        handle=ZELDA["handle"],
        email=ZELDA["email"],
        display_name=ZELDA["display_name"],
        bio=ZELDA["bio"],
        trust_level=1,
    )
    bob = MemberFactory(handle="bob", display_name="Bob Brandt")
    charlie = MemberFactory(handle="charlie", display_name="Charlie Chen")
    community = CommunityFactory(created_by=charlie, slug="lighthouses")
    MembershipFactory(
        community=community, member=zelda, joined_at=timezone.now() - timedelta(days=9)
    )
    MembershipFactory(community=community, member=bob)
    post = post_actions.create_post(
        community, by=zelda, title=ZELDA["post_title"], body=ZELDA["post_body"]
    )
    post_actions.edit_post(post, by=zelda, body=ZELDA["post_body_edited"])
    charlies_post = post_actions.create_post(
        community, by=charlie, title="Foghorns", body="On foghorns and their moods."
    )
    conversation = _commit(
        lambda: conversation_actions.request_conversation(
            by=zelda, to=bob, message=ZELDA["opening"], post=post
        )
    )
    conversation = conversation_actions.accept_conversation(conversation, by=bob)
    conversation_actions.send_message(conversation, by=bob, body=BOB_WORDS)
    mine = conversation_actions.send_message(
        conversation, by=zelda, body=ZELDA["reply"]
    )
    conversation_actions.edit_message(mine, by=zelda, body=ZELDA["reply_edited"])
    secret_conversation = conversation_actions.request_conversation(
        by=bob, to=charlie, message=SECRET
    )
    dialogue = dialogue_actions.propose_dialogue(
        conversation, by=zelda, community=community, title="On kites and comets"
    )
    dialogue_actions.accept_dialogue(dialogue, by=bob)
    dialogue.refresh_from_db()
    connection_actions.offer_connection(bob, by=zelda, conversation=conversation)
    connection_actions.accept_connection(zelda, by=bob)
    rating_actions.rate(charlies_post, by=zelda, value="helpful")
    dave = MemberFactory(handle="dave")
    safety_actions.block_member(dave, by=zelda)
    safety_actions.mute_member(charlie, by=zelda)
    moderation_actions.file_report(
        mine, by=bob, reason="Testing what a report keeps after a deletion."
    )
    conversation.refresh_from_db()
    return World(
        zelda=zelda,
        bob=bob,
        charlie=charlie,
        community=community,
        post=post,
        conversation=conversation,
        secret_conversation=secret_conversation,
        dialogue=dialogue,
    )

from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.connections import actions
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation, Message
from fireside.conversations.tests.factories import share_community


def talk(one, other, *, turns=2, days_ago=0, post=None):
    """ONE asks OTHER, OTHER accepts, and they write TURNS messages in turn (from ONE);
    every message is moved DAYS_AGO days into the past."""
    share_community(one, other)
    conversation = conversations.request_conversation(
        by=one, to=other, message="Hello, may we talk?", post=post
    )
    conversations.accept_conversation(conversation, by=other)
    speakers = [other, one]
    for number in range(turns - 1):
        conversations.send_message(
            conversation, by=speakers[number % 2], body=f"Turn {number + 2}"
        )
    if days_ago:
        backdate(conversation, days_ago)
    conversation.refresh_from_db()
    return conversation


def backdate(conversation, days):
    moment = timezone.now() - timedelta(days=days)
    Message.objects.filter(conversation=conversation).update(sent_at=moment)
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=moment, last_message_at=moment
    )


def connect(one, other):
    actions.offer_connection(other, by=one)
    return actions.accept_connection(one, by=other)


@pytest.fixture
def talked(alice, bob):
    """alice and bob had a conversation in which both wrote."""
    return talk(alice, bob)


@pytest.fixture
def connected(talked, alice, bob):
    connect(alice, bob)
    return talked


@pytest.fixture
def live_events(monkeypatch):
    """Every event published to the channel layer during the test."""
    from fireside.live import broadcast

    sent = []
    monkeypatch.setattr(broadcast, "send_many_now", lambda events: sent.extend(events))
    return sent


def publish(one, other, *, days_ago=0, title=""):
    """A dialogue of a conversation between ONE and OTHER, published in an open community
    of theirs, DAYS_AGO days ago."""
    from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
    from fireside.dialogues import actions as dialogues
    from fireside.dialogues.models import Dialogue

    conversation = talk(one, other)
    community = CommunityFactory(created_by=one)
    MembershipFactory(community=community, member=other)
    dialogue = dialogues.propose_dialogue(
        conversation, by=one, community=community, title=title
    )
    dialogues.accept_dialogue(dialogue, by=other)
    if days_ago:
        Dialogue.objects.filter(pk=dialogue.pk).update(
            published_at=timezone.now() - timedelta(days=days_ago)
        )
    dialogue.refresh_from_db()
    return dialogue

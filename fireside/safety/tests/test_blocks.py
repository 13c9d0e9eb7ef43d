"""What a block does, end to end: the blocked member cannot ask or write, and the blocker
sees nothing of them."""

import re

import pytest

from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation
from fireside.posts import actions as posts
from fireside.safety.actions import block_member
from tests.helpers import assert_error


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def place(alice, bob):
    community = CommunityFactory(slug="skies", name="Skies", created_by=alice)
    MembershipFactory(community=community, member=bob)
    by_bob = posts.create_post(
        community, by=bob, title="Comet watching by bob", body="Comet notes."
    )
    by_alice = posts.create_post(
        community, by=alice, title="Comet watching by alice", body="More comets."
    )
    return community, by_bob, by_alice


@pytest.fixture
def talking(alice, bob, place):
    conversation = conversations.request_conversation(by=bob, to=alice, message="Hi")
    return conversations.accept_conversation(conversation, by=alice)


def test_block_refuses_the_blocked_members_request_and_messages(
    api_client, alice, bob, talking
):
    as_bob = api_client.as_member(bob)
    block_member(bob, by=alice)

    asked = as_bob.post(
        "conversations", json={"to": "alice", "message": "Again?", "client_id": "b1"}
    )
    written = as_bob.post(
        f"conversations/{talking.pk}/messages",
        json={"body": "Hello?", "client_id": "b2"},
    )

    assert_error(asked, 403, "blocked")
    assert written.status_code in (403, 404, 409), written.content
    talking.refresh_from_db()
    assert talking.state == Conversation.State.ENDED
    assert talking.last_seq == 1


def test_block_refuses_the_request_page_too(client, alice, bob, place):
    block_member(bob, by=alice)
    client.force_login(bob)

    response = client.post(
        "/conversations/new/?to=alice", {"message": "Hi again", "client_id": "p1"}
    )

    assert response.status_code in (403, 404)
    assert not Conversation.objects.filter(initiator=bob).exists()


def test_blocker_sees_nothing_of_the_blocked_member(
    client, api_client, alice, bob, place
):
    community, by_bob, by_alice = place
    as_alice = api_client.as_member(alice)
    conversations.request_conversation(by=bob, to=alice, message="Please talk")
    assert as_alice.get("conversations?state=requested").json()["items"]

    block_member(bob, by=alice)

    feed = as_alice.get("feed").json()["items"]
    listed = as_alice.get(f"communities/{community.slug}/posts").json()["items"]
    found = as_alice.get("search/posts?q=comet").json()["items"]
    waiting = as_alice.get("conversations?state=requested").json()

    for items in (feed, listed, found):
        titles = {item["title"] for item in items}
        assert by_bob.title not in titles
        assert by_alice.title in titles
    assert waiting["items"] == []
    client.force_login(alice)
    tray = text_of(client.get("/conversations/requests/"))
    assert "Please talk" not in tray


def test_blocker_inbox_shows_nothing_of_an_ended_conversation(
    client, api_client, alice, bob, charlie, talking
):
    conversations.send_message(talking, by=bob, body="Something only we said")
    as_alice = api_client.as_member(alice)
    assert [c["with"]["handle"] for c in as_alice.get("conversations").json()["items"]]
    client.force_login(alice)
    assert "@bob" in text_of(client.get("/conversations/"))

    block_member(bob, by=alice)

    assert as_alice.get("conversations").json()["items"] == []
    inbox = text_of(client.get("/conversations/"))
    assert "@bob" not in inbox
    # Bob still sees the shape of what ended (he is not told he was blocked).
    as_bob = api_client.as_member(bob)
    [ended] = as_bob.get("conversations").json()["items"]
    assert ended["state"] == "ended"


def test_blocked_member_no_longer_sees_the_talk_entry_point(client, alice, bob, place):
    _, _, by_alice = place
    client.force_login(bob)
    before_profile = text_of(client.get("/@alice/"))
    before_post = text_of(client.get(f"/p/{by_alice.pk}/"))
    assert "/conversations/new/?to=alice" in before_profile
    assert "/conversations/new/?to=alice" in before_post

    block_member(bob, by=alice)

    after_profile = text_of(client.get("/@alice/"))
    after_post = text_of(client.get(f"/p/{by_alice.pk}/"))
    assert "/conversations/new/?to=alice" not in after_profile
    assert "/conversations/new/?to=alice" not in after_post
    assert "Comet watching by alice" in after_post  # the post itself stays readable


def test_block_ends_existing_conversations(alice, bob, talking):
    block_member(bob, by=alice)

    talking.refresh_from_db()
    assert talking.state == Conversation.State.ENDED

"""Pausing requests (on a post or one's profile) and moving requests between the
Requests and Later trays, through the API and the pages."""

import pytest

from fireside.accounts.models import Member
from fireside.conversations import actions
from fireside.conversations.models import Conversation
from fireside.conversations.tests.factories import share_community
from fireside.posts.models import Post
from fireside.posts.tests.factories import PostFactory
from tests.helpers import assert_error


@pytest.fixture
def neighbours(alice, bob):
    return share_community(alice, bob)


@pytest.fixture
def post(neighbours, alice):
    return PostFactory(community=neighbours, author=alice, title="On slow reading")


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


@pytest.fixture
def as_bob(api_client, bob):
    return api_client.as_member(bob)


def ask(client, **more):
    return client.post(
        "conversations",
        json={"to": "alice", "message": "May we talk?", "client_id": "p1", **more},
    )


# Pausing ------------------------------------------------------------------------------


def test_paused_post_refuses_requests_citing_it_with_403(post, as_alice, as_bob):
    answer = as_alice.post(f"posts/{post.pk}/requests/pause")
    assert answer.json() == {"post": post.pk, "requests_paused": True}

    body = assert_error(ask(as_bob, post=post.pk), 403, "requests_paused")
    assert "not taking requests right now" in body["detail"]

    as_alice.post(f"posts/{post.pk}/requests/resume")
    assert ask(as_bob, post=post.pk).status_code == 201


def test_paused_post_still_lets_people_ask_without_citing_it(post, as_alice, as_bob):
    as_alice.post(f"posts/{post.pk}/requests/pause")

    assert ask(as_bob).status_code == 201


def test_only_the_author_may_pause_a_post(post, as_bob):
    assert_error(as_bob.post(f"posts/{post.pk}/requests/pause"), 403, "not_author")
    assert not Post.objects.get(pk=post.pk).requests_paused


def test_pausing_an_unknown_post_is_404(as_alice, db):
    assert as_alice.post("posts/999999/requests/pause").status_code == 404


def test_paused_profile_refuses_every_request_with_403(neighbours, as_alice, as_bob):
    answer = as_alice.post("me/requests/pause")
    assert answer.json()["requests_paused"] is True

    body = assert_error(ask(as_bob), 403, "requests_paused")
    assert "@alice is not taking requests right now" in body["detail"]

    assert as_alice.post("me/requests/resume").json()["requests_paused"] is False
    assert ask(as_bob).status_code == 201


def test_pausing_keeps_requests_already_made(neighbours, alice, bob, as_alice):
    made = actions.request_conversation(by=bob, to=alice, message="Hi")

    as_alice.post("me/requests/pause")

    assert as_alice.get(f"conversations/{made.pk}").json()["state"] == "requested"


def test_paused_profile_shows_a_calm_note_instead_of_talk_button(
    neighbours, alice, bob, client
):
    actions.set_requests_paused(alice, paused=True)
    client.force_login(bob)

    profile = client.get("/@alice/").content.decode()
    new = client.get("/conversations/new/?to=alice")

    assert "is not taking requests right now" in profile
    assert "/conversations/new/?to=alice" not in profile
    assert new.status_code == 403
    assert "not taking requests right now" in new.content.decode()


def test_paused_post_shows_a_calm_note_instead_of_talk_button(post, alice, bob, client):
    client.force_login(alice)
    client.post(f"/p/{post.pk}/requests/pause/", {"requests": "pause"})
    client.force_login(bob)

    page = client.get(f"/p/{post.pk}/").content.decode()
    new = client.get(f"/conversations/new/?to=alice&post={post.pk}")

    assert Post.objects.get(pk=post.pk).requests_paused
    assert "is not taking requests about this post right now" in page
    assert "Talk 1:1 with the author</a>" not in page
    assert new.status_code == 403


def test_settings_page_pauses_and_resumes_requests(alice, client):
    client.force_login(alice)

    client.post("/settings/requests/pause/", {"requests": "pause"})
    assert Member.objects.get(pk=alice.pk).requests_paused
    assert "Resume requests" in client.get("/settings/requests/").content.decode()

    client.post("/settings/requests/pause/", {"requests": "resume"})
    assert not Member.objects.get(pk=alice.pk).requests_paused


def test_pause_form_refuses_a_made_up_choice(alice, client):
    client.force_login(alice)

    assert (
        client.post("/settings/requests/pause/", {"requests": "x"}).status_code == 400
    )
    assert not Member.objects.get(pk=alice.pk).requests_paused


# Trays --------------------------------------------------------------------------------


@pytest.fixture
def waiting(neighbours, alice, bob):
    return actions.request_conversation(by=bob, to=alice, message="Hello Alice")


def test_recipient_moves_a_request_to_later_and_back(waiting, as_alice):
    moved = as_alice.post(f"conversations/{waiting.pk}/tray", json={"tray": "later"})
    assert moved.status_code == 200
    assert moved.json()["tray"] == "later"
    later = as_alice.get("conversations?tray=later").json()["items"]
    assert [item["id"] for item in later] == [waiting.pk]

    back = as_alice.post(f"conversations/{waiting.pk}/tray", json={"tray": "requests"})
    assert back.json()["tray"] == "requests"


def test_a_request_in_later_can_still_be_accepted(waiting, alice, as_alice):
    actions.move_request(waiting, by=alice, tray=Conversation.Tray.LATER)

    answer = as_alice.post(f"conversations/{waiting.pk}/accept")

    assert answer.json()["state"] == "active"


def test_only_the_recipient_may_move_a_request(waiting, as_bob, as_charlie):
    assert_error(
        as_bob.post(f"conversations/{waiting.pk}/tray", json={"tray": "later"}),
        403,
        "not_recipient",
    )
    response = as_charlie.post(
        f"conversations/{waiting.pk}/tray", json={"tray": "later"}
    )
    assert response.status_code == 404
    assert Conversation.objects.get(pk=waiting.pk).tray == "requests"


def test_moving_refuses_an_unknown_tray(waiting, as_alice):
    response = as_alice.post(f"conversations/{waiting.pk}/tray", json={"tray": "bin"})

    assert response.status_code == 400
    assert "tray" in response.json()["errors"]


def test_moving_refuses_an_answered_request(waiting, alice, as_alice):
    actions.decline_conversation(waiting, by=alice)

    assert_error(
        as_alice.post(f"conversations/{waiting.pk}/tray", json={"tray": "later"}),
        403,
        "not_requested",
    )


@pytest.fixture
def as_charlie(api_client, charlie):
    return api_client.as_member(charlie)


def test_trays_page_moves_a_request_to_later_and_lists_it_there(waiting, alice, client):
    client.force_login(alice)

    client.post(f"/conversations/{waiting.pk}/tray/", {"tray": "later"})

    later = client.get("/conversations/requests/later/").content.decode()
    requests = client.get("/conversations/requests/").content.decode()
    assert f'id="request-{waiting.pk}"' in later
    assert "Move to Requests" in later
    assert f'id="request-{waiting.pk}"' not in requests


def test_later_page_explains_what_to_do_when_empty(alice, client):
    client.force_login(alice)

    assert "Nothing waits in Later" in client.get("/conversations/requests/later/").text

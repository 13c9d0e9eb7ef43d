"""Direct messages across instances: a remote Note to one of our members is a conversation
request first (consent before contact), then messages both ways once accepted; our
members' messages leave as signed, direct, Mention-tagged Notes."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation, Message
from fireside.federation import notes
from fireside.federation.demo import load_federation_demo
from fireside.federation.keys import generate_pem_pair, key_for
from fireside.federation.models import (
    Delivery,
    FederatedObject,
    InboundActivity,
    InstanceBlock,
    RemoteActor,
)
from fireside.federation.signatures import verify_request
from fireside.federation.tests.conftest import DOMAIN
from fireside.federation.tests.peer import post_activity
from fireside.safety.actions import block_member

pytestmark = pytest.mark.django_db

ALICE = f"https://{DOMAIN}/@alice/"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
NOTICE = "is on another server. Messages to them travel over the fediverse and are not"


@pytest.fixture
def open_alice(alice):
    """alice takes requests from anyone (the default asks for a shared community)."""
    alice.who_may_ask = Member.WhoMayAsk.ANYONE
    alice.save(update_fields=["who_may_ask"])
    return alice


@pytest.fixture
def seasoned(remote):
    """bo's account is years old on his server."""
    remote.profile = {"published": "2021-03-01T10:00:00Z", "name": "Bo Berg"}
    return remote


def dm(remote, number=1, text="Hello Alice, may we talk?", *, to=None, **note):
    to = [ALICE] if to is None else to
    note_id = f"{remote.actor}/statuses/{number}"
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": remote.actor,
        "to": to,
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": remote.actor,
            "to": to,
            "cc": [],
            "content": f'<p><span class="h-card"><a href="{ALICE}" class="u-url '
            f'mention">@<span>alice</span></a></span> {text}</p>',
            **note,
        },
    }


@pytest.fixture
def heard(open_alice, live_events):
    """The types of the live events alice's group receives (from the real layer)."""
    live_events.listen(open_alice)
    return lambda: [event["type"] for event in live_events.received()]


def stand_in():
    return Member.objects.get(is_remote=True)


def delivered(remote, kind=None):
    """The activities we POSTed to the remote, in order (of KIND only, if given)."""
    found = []
    for path, headers, body in remote.posts:
        activity = json.loads(body)
        if kind is None or activity["type"] == kind:
            found.append((path, headers, body, activity))
    return found


def assert_signed_by(member, path, headers, body):
    actor = f"https://{DOMAIN}/@{member.handle}/"
    verified = verify_request(
        "POST",
        path,
        headers,
        body,
        key_resolver=lambda key_id, refresh: (key_for(member).public_pem, actor),
    )
    assert verified.key_id == f"{actor}#main-key"


def accept_as(client, member, conversation):
    client.force_login(member)
    response = client.post(f"/conversations/{conversation.pk}/accept/")
    assert response.status_code == 302


# A remote direct message is a request -----------------------------------------------


def test_remote_dm_arrives_as_a_request_with_signals(
    client, seasoned, open_alice, heard
):
    response = post_activity(client, seasoned, dm(seasoned))

    assert response.status_code == 202
    conversation = Conversation.objects.get()
    bo = stand_in()
    assert (bo.handle, bo.display_name) == ("bo@127.0.0.1", "Bo Berg")
    assert conversation.initiator == bo
    assert conversation.recipient == open_alice
    assert conversation.state == Conversation.State.REQUESTED
    # Being elsewhere is shown, but is no reason to hold the request in Later.
    assert conversation.tray == Conversation.Tray.REQUESTS
    codes = [signal["code"] for signal in conversation.signals]
    assert codes == ["no_shared_community", "remote_instance"]
    assert "Writes from 127.0.0.1, another server of the fediverse" in [
        signal["text"] for signal in conversation.signals
    ]
    # The mention of alice that opens the note is not part of the message.
    assert conversation.messages.get().body == "Hello Alice, may we talk?"
    assert FederatedObject.objects.get().object_id == f"{seasoned.actor}/statuses/1"
    assert InboundActivity.objects.get().state == InboundActivity.State.PROCESSED
    # Nothing is said to bo's server before alice answers.
    assert seasoned.posts == []
    # alice hears of a request, never of the message itself before she accepts.
    assert heard() == ["conversation.request"]

    client.force_login(open_alice)
    page = client.get("/conversations/requests/").content.decode()
    assert "Writes from 127.0.0.1" in page
    assert f"@bo@127.0.0.1 {NOTICE}" in page


def test_a_new_remote_account_waits_in_later(client, remote, open_alice, heard):
    post_activity(client, remote, dm(remote))

    conversation = Conversation.objects.get()
    assert conversation.tray == Conversation.Tray.LATER
    assert [signal["code"] for signal in conversation.signals] == [
        "new_account",
        "no_shared_community",
        "remote_instance",
    ]
    # Held in Later: no event at all reaches alice.
    assert heard() == []


def test_a_dm_at_the_member_inbox_is_a_request_too(client, seasoned, open_alice):
    response = post_activity(client, seasoned, dm(seasoned), path="/@alice/inbox")
    assert response.status_code == 202
    assert Conversation.objects.get().recipient == open_alice


def test_a_repeated_note_adds_nothing(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned))
    post_activity(client, seasoned, dm(seasoned))

    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1
    assert FederatedObject.objects.count() == 1
    states = InboundActivity.objects.order_by("pk").values_list("state", "note")
    assert list(states)[1] == (InboundActivity.State.IGNORED, "a note already received")


def test_a_note_signed_with_the_wrong_key_is_refused_and_stored_nowhere(
    client, seasoned, open_alice
):
    _, other_private = generate_pem_pair()
    response = post_activity(client, seasoned, dm(seasoned), private_pem=other_private)

    assert response.status_code == 401
    assert not InboundActivity.objects.exists()
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()
    assert not Member.objects.filter(is_remote=True).exists()
    assert not FederatedObject.objects.exists()


def test_a_public_note_is_ignored(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned, to=[PUBLIC, ALICE]))

    assert not Conversation.objects.exists()
    assert not Member.objects.filter(is_remote=True).exists()
    inbound = InboundActivity.objects.get()
    assert inbound.state == InboundActivity.State.IGNORED
    assert "public" in inbound.note


def test_a_note_to_several_people_is_ignored(client, seasoned, open_alice, bob):
    post_activity(client, seasoned, dm(seasoned, to=[ALICE, f"https://{DOMAIN}/@bob/"]))
    assert not Conversation.objects.exists()
    assert "one-to-one" in InboundActivity.objects.get().note


# Refusals by our rules ----------------------------------------------------------------


def assert_rejected(remote, alice, reason):
    [(path, headers, body, activity)] = delivered(remote, "Reject")
    assert path == "/users/bo/inbox"
    assert activity["actor"] == ALICE
    assert activity["object"]["id"] == f"{remote.actor}/statuses/1/activity"
    assert activity["object"]["object"] == f"{remote.actor}/statuses/1"
    assert reason in activity["summary"]
    assert_signed_by(alice, path, headers, body)


def test_who_may_ask_refuses_and_a_reject_is_delivered(client, seasoned, alice):
    # alice keeps the default: requests from members of a community she shares.
    post_activity(client, seasoned, dm(seasoned))

    inbound = InboundActivity.objects.get()
    assert inbound.state == InboundActivity.State.IGNORED
    assert "community you share" in inbound.note
    # Nothing else is kept: no conversation, and not even the stand-in.
    assert not Conversation.objects.exists()
    assert not Member.objects.filter(is_remote=True).exists()
    assert not FederatedObject.objects.exists()
    assert_rejected(seasoned, alice, "community you share")


def test_a_blocked_stand_in_is_refused_and_told(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned, number=9))
    block_member(stand_in(), by=open_alice)
    seasoned.posts.clear()

    post_activity(client, seasoned, dm(seasoned))

    inbound = InboundActivity.objects.order_by("pk").last()
    assert inbound.state == InboundActivity.State.IGNORED
    assert "does not take requests from you" in inbound.note
    assert Conversation.objects.get().state == Conversation.State.ENDED
    assert Message.objects.count() == 1
    assert_rejected(seasoned, open_alice, "does not take requests from you")


# After consent: both ways -------------------------------------------------------------


def test_after_acceptance_messages_travel_both_ways(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned))
    conversation = Conversation.objects.get()
    accept_as(client, open_alice, conversation)
    # Accepting says nothing to bo's server by itself.
    assert seasoned.posts == []

    response = client.post(
        f"/conversations/{conversation.pk}/", {"body": "Gladly, **Bo**."}
    )
    assert response.status_code == 302

    [(path, headers, body, activity)] = delivered(seasoned, "Create")
    # A direct message goes to bo's own inbox, signed by alice.
    assert path == "/users/bo/inbox"
    assert_signed_by(open_alice, path, headers, body)
    note = activity["object"]
    mine = Message.objects.get(conversation=conversation, seq=2)
    assert note["id"] == f"https://{DOMAIN}/@alice/messages/{mine.pk}"
    assert activity["actor"] == note["attributedTo"] == ALICE
    assert note["to"] == [seasoned.actor]
    assert note["cc"] == []
    assert note["tag"] == [
        {"type": "Mention", "href": seasoned.actor, "name": "@bo@127.0.0.1"}
    ]
    assert note["inReplyTo"] == f"{seasoned.actor}/statuses/1"
    assert "u-url mention" in note["content"]
    assert "<strong>Bo</strong>" in note["content"]
    assert PUBLIC not in json.dumps(activity)

    post_activity(client, seasoned, dm(seasoned, number=2, text="Wonderful."))

    theirs = Message.objects.get(conversation=conversation, seq=3)
    assert (theirs.author, theirs.body) == (stand_in(), "Wonderful.")
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "Wonderful." in page
    assert f"@bo@127.0.0.1 {NOTICE}" in page

    client.post(f"/conversations/{conversation.pk}/", {"body": "And again."})
    last = delivered(seasoned, "Create")[-1][3]["object"]
    assert last["inReplyTo"] == f"{seasoned.actor}/statuses/2"


def test_nothing_travels_before_consent(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned))
    conversation = Conversation.objects.get()
    client.force_login(open_alice)

    client.post(f"/conversations/{conversation.pk}/", {"body": "Not yet, surely"})

    assert conversation.messages.count() == 1
    assert seasoned.posts == []
    assert not Delivery.objects.exists()


def test_a_second_note_before_acceptance_is_refused(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned, number=5))
    seasoned.posts.clear()
    post_activity(client, seasoned, dm(seasoned))

    assert Message.objects.count() == 1
    assert_rejected(seasoned, open_alice, "not been accepted yet")


def test_remote_edits_and_deletions_of_their_notes(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned))
    conversation = Conversation.objects.get()
    accept_as(client, open_alice, conversation)
    post_activity(client, seasoned, dm(seasoned, number=2, text="Typo hree."))
    note = dm(seasoned, number=2, text="Typo here.")["object"]

    update = {
        "id": f"{note['id']}#updates/1",
        "type": "Update",
        "actor": seasoned.actor,
        "object": note,
    }
    assert post_activity(client, seasoned, update).status_code == 202
    message = Message.objects.get(conversation=conversation, seq=2)
    assert (message.body, message.edited_at is not None) == ("Typo here.", True)

    delete = {
        "id": f"{note['id']}#delete",
        "type": "Delete",
        "actor": seasoned.actor,
        "object": {"id": note["id"], "type": "Tombstone"},
    }
    assert post_activity(client, seasoned, delete).status_code == 202
    message.refresh_from_db()
    assert message.deleted_at is not None
    assert message.body == ""


def test_only_the_author_of_a_note_may_change_it(client, seasoned, open_alice):
    post_activity(client, seasoned, dm(seasoned))
    message = Message.objects.get()
    other = RemoteActor.objects.create(
        actor_id="http://127.0.0.1:1/users/eve",
        inbox="http://127.0.0.1:1/users/eve/inbox",
        preferred_username="eve",
        domain="127.0.0.1",
    )
    note = {
        **dm(seasoned, text="Eve was here")["object"],
        "attributedTo": other.actor_id,
    }
    for kind, target in (("Update", note), ("Delete", note["id"])):
        inbound = InboundActivity.objects.create(
            raw={"type": kind, "actor": other.actor_id, "object": target},
            actor_id=other.actor_id,
            activity_type=kind,
        )
        state, _ = notes.process(inbound, other)
        assert state == InboundActivity.State.IGNORED
    message.refresh_from_db()
    assert (message.body, message.deleted_at) == ("Hello Alice, may we talk?", None)


def test_our_edits_and_deletions_travel_as_update_and_delete(
    client, seasoned, open_alice, django_capture_on_commit_callbacks
):
    post_activity(client, seasoned, dm(seasoned))
    conversation = Conversation.objects.get()
    accept_as(client, open_alice, conversation)
    client.post(f"/conversations/{conversation.pk}/", {"body": "Frist"})
    mine = Message.objects.get(conversation=conversation, seq=2)

    with django_capture_on_commit_callbacks(execute=True):
        conversations.edit_message(mine, by=open_alice, body="First")
    [(path, headers, body, update)] = delivered(seasoned, "Update")
    assert update["object"]["id"] == notes.note_id(mine)
    assert "First" in update["object"]["content"]
    assert_signed_by(open_alice, path, headers, body)

    with django_capture_on_commit_callbacks(execute=True):
        conversations.delete_message(mine, by=open_alice)
    [(_, _, _, delete)] = delivered(seasoned, "Delete")
    assert delete["object"] == {"id": notes.note_id(mine), "type": "Tombstone"}


def test_conversations_between_members_here_deliver_nothing(
    federation, alice, bob, django_capture_on_commit_callbacks
):
    alice.who_may_ask = Member.WhoMayAsk.ANYONE
    alice.save(update_fields=["who_may_ask"])
    with django_capture_on_commit_callbacks(execute=True):
        talk = conversations.request_conversation(by=bob, to=alice, message="Hi")
        conversations.accept_conversation(talk, by=alice)
        conversations.send_message(talk, by=alice, body="Hello")
    assert not Delivery.objects.exists()


# Asking someone on another server -----------------------------------------------------


def serve_webfinger(remote, content_type="application/jrd+json"):
    path = f"/.well-known/webfinger?resource=acct:bo@{remote.host}"
    remote.documents[path] = {
        "subject": f"acct:bo@{remote.host}",
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "href": remote.base},
            {"rel": "self", "type": "application/activity+json", "href": remote.actor},
        ],
    }
    remote.content_types[path] = content_type


def test_a_member_asks_a_remote_handle_through_the_api(
    api_client, client, seasoned, alice
):
    serve_webfinger(seasoned)
    response = api_client.as_member(alice).post(
        "/conversations",
        json={"to": f"@bo@{seasoned.host}", "message": "Hi Bo!", "client_id": "c1"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["with"]["handle"] == "bo@127.0.0.1"
    conversation = Conversation.objects.get()
    assert conversation.state == Conversation.State.REQUESTED
    # alice asked: her opening message travels at once.
    [(path, headers, body, activity)] = delivered(seasoned, "Create")
    assert path == "/users/bo/inbox"
    assert activity["object"]["inReplyTo"] is None
    assert activity["object"]["to"] == [seasoned.actor]
    assert_signed_by(alice, path, headers, body)

    # bo's reply is his yes: the conversation opens and his words are in it.
    post_activity(client, seasoned, dm(seasoned, text="Hi yourself."))
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.ACTIVE
    assert conversation.messages.get(seq=2).body == "Hi yourself."

    api_client.as_member(alice).post(
        f"/conversations/{conversation.pk}/messages",
        json={"body": "Lovely.", "client_id": "c2"},
    )
    last = delivered(seasoned, "Create")[-1][3]["object"]
    assert last["inReplyTo"] == f"{seasoned.actor}/statuses/1"


def test_a_member_asks_a_remote_handle_on_the_page(client, seasoned, alice):
    serve_webfinger(seasoned, content_type="application/activity+json")
    client.force_login(alice)
    url = f"/conversations/new/?to=bo@{seasoned.host}"

    page = client.get(url)
    assert page.status_code == 200
    assert f"@bo@127.0.0.1 {NOTICE}" in page.content.decode()

    response = client.post(url, {"message": "Hello from the fireside"})
    assert response.status_code == 302
    assert Conversation.objects.get().recipient == stand_in()
    [(_, _, _, activity)] = delivered(seasoned, "Create")
    assert "Hello from the fireside" in activity["object"]["content"]


def test_the_page_asks_for_a_handle_and_explains_a_miss(client, seasoned, alice):
    client.force_login(alice)
    empty = client.get("/conversations/new/")
    assert empty.status_code == 200
    assert "@name@server" in empty.content.decode()

    missing = client.get(f"/conversations/new/?to=nobody@{seasoned.host}")
    assert missing.status_code == 404
    assert "has nobody called @nobody@" in missing.content.decode()


@pytest.mark.parametrize(
    ("to", "status", "code", "words"),
    [
        ("@bo@", 400, "malformed_handle", "@name@server"),
        ("@nobody@HOST", 404, "remote_not_found", "has nobody called @nobody@"),
        ("@bo@blocked.example", 400, "instance_blocked", "does not talk with"),
    ],
)
def test_asking_a_remote_handle_explains_what_went_wrong(
    api_client, seasoned, alice, to, status, code, words
):
    InstanceBlock.objects.create(domain="blocked.example")
    response = api_client.as_member(alice).post(
        "/conversations",
        json={
            "to": to.replace("HOST", seasoned.host),
            "message": "Hi",
            "client_id": "",
        },
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    assert words in response.json()["errors"]["to"][0]
    assert not Conversation.objects.exists()


def test_asking_a_remote_handle_while_federation_is_off(api_client, alice):
    response = api_client.as_member(alice).post(
        "/conversations",
        json={"to": "@bo@remote.example", "message": "Hi", "client_id": ""},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "federation_off"
    assert response.json()["detail"] == "This server does not talk to other servers."


# Profiles, discovery and the demo -----------------------------------------------------


def test_a_remote_member_has_a_small_profile_and_is_no_actor_here(
    client, seasoned, open_alice
):
    seasoned.profile["url"] = "https://social.example/@bo"
    post_activity(client, seasoned, dm(seasoned))

    page = client.get("/@bo@127.0.0.1/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bo Berg" in text
    assert "on 127.0.0.1" in text
    assert 'href="https://social.example/@bo"' in text

    as_actor = client.get(
        "/@bo@127.0.0.1/", headers={"Accept": "application/activity+json"}
    )
    assert as_actor.status_code == 404
    finger = client.get(
        "/.well-known/webfinger", {"resource": f"acct:bo@127.0.0.1@{DOMAIN}"}
    )
    assert finger.status_code in (400, 404)
    assert client.get("/@nobody@127.0.0.1/").status_code == 404


def test_the_demo_shows_a_conversation_across_servers(federation, db):
    from fireside.accounts.tests.factories import MemberFactory

    ada = MemberFactory(handle="ada")
    load_federation_demo()
    load_federation_demo()

    conversation = Conversation.objects.get()
    assert conversation.state == Conversation.State.ACTIVE
    assert conversation.initiator == ada
    sam = conversation.recipient
    assert sam.handle == "sam@social.example"
    assert conversation.messages.filter(author=sam).count() == 2
    assert FederatedObject.objects.filter(message__author=sam).count() == 2
    assert conversation.messages.count() == 4
    assert not Delivery.objects.exists()
    assert sam.joined_at < timezone.now() - timedelta(days=365)


@pytest.mark.parametrize(
    ("content", "body"),
    [
        (f"<p>@alice@{DOMAIN} Hi there</p>", "Hi there"),
        ("<p>@alicette hello</p>", "@alicette hello"),
        ("<p>Hello <b>@alice</b></p><p>Second line</p>", "Hello @alice\n\nSecond line"),
    ],
)
def test_the_opening_mention_of_the_member_is_dropped_and_html_made_plain(
    client, seasoned, open_alice, content, body
):
    post_activity(client, seasoned, dm(seasoned, content=content, type="ChatMessage"))
    assert Message.objects.get().body == body


def test_a_content_warning_and_attachments_are_kept_in_words(
    client, seasoned, open_alice
):
    note = dm(
        seasoned,
        text="Here is the photo.",
        summary="Spiders",
        attachment=[
            {
                "type": "Document",
                "mediaType": "image/jpeg",
                "url": f"{seasoned.base}/media/1.jpg",
                "name": "A <b>garden</b> spider on its web",
            },
            {"type": "Document", "mediaType": "application/pdf", "url": "x"},
        ],
    )
    post_activity(client, seasoned, note)

    body = Message.objects.get().body
    assert body.startswith("Content warning: Spiders\n\nHere is the photo.")
    assert (
        "(An image was attached on their server: “A garden spider on its web”. "
        "Fireside does not show attachments.)" in body
    )
    assert "(A file was attached on their server. Fireside" in body
    # The addresses are not copied: a level-0 stand-in may not send links.
    assert "media/1.jpg" not in body


def test_a_server_name_in_another_script_is_looked_up_in_its_dns_form():
    from fireside.federation.resolve import _parse

    assert _parse("@anna@Bücher.example") == ("anna", "xn--bcher-kva.example")
    assert _parse("sam@social.example:8443") == ("sam", "social.example:8443")

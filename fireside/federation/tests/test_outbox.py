"""Outgoing posts and dialogues to a member's remote followers, outboxes, and posts and
dialogues served as ActivityPub objects. The remote server is a local HTTP server; what
we send it is checked with the sending member's public key."""

import json

import pytest

from fireside.communities.models import Community
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations import actions as conversations
from fireside.dialogues import actions as dialogues
from fireside.federation import actions
from fireside.federation.keys import key_for
from fireside.federation.models import Delivery, Follower
from fireside.federation.signatures import verify_request
from fireside.federation.tests.conftest import DOMAIN
from fireside.federation.tests.peer import ACTIVITY, post_activity
from fireside.posts import actions as posts

pytestmark = pytest.mark.django_db

ALICE = f"https://{DOMAIN}/@alice/"
BOB = f"https://{DOMAIN}/@bob/"
WORDS = ["What got you into bees?", "My grandmother kept **six** hives."]


@pytest.fixture
def bees(alice, bob):
    community = CommunityFactory(created_by=alice, slug="bees", name="Bees")
    MembershipFactory(community=community, member=bob)
    return community


@pytest.fixture
def den(alice):
    return CommunityFactory(
        created_by=alice, slug="den", visibility=Community.Visibility.INVITE
    )


def remote_follows(client, remote, member, actor):
    """REMOTE's bo follows MEMBER, who accepts at once."""
    actions.set_approve_follows(member, False)
    activity = {
        "id": f"{remote.actor}#follows/{member.handle}",
        "type": "Follow",
        "actor": remote.actor,
        "object": actor,
    }
    post_activity(client, remote, activity)
    assert Follower.objects.get(member=member).state == Follower.State.ACCEPTED
    remote.posts.clear()  # the Accept


def received(remote, member, actor):
    """What we POSTed to REMOTE, each checked to be signed by MEMBER's key."""
    found = []
    for path, headers, body in remote.posts:
        verified = verify_request(
            "POST",
            path,
            headers,
            body,
            key_resolver=lambda key_id, refresh: (key_for(member).public_pem, actor),
        )
        assert verified.key_id == f"{actor}#main-key"
        found.append(json.loads(body))
    return found


def talk(alice, bob, community, on_commit):
    """bob and alice talk about alice's post, and publish it as a dialogue."""
    with on_commit(execute=True):
        post = posts.create_post(community, by=alice, title="Wintering bees", body="?")
    conversation = conversations.request_conversation(
        by=bob, to=alice, message=WORDS[0], post=post
    )
    conversations.accept_conversation(conversation, by=alice)
    conversations.send_message(conversation, by=alice, body=WORDS[1])
    conversation.refresh_from_db()
    proposal = dialogues.propose_dialogue(
        conversation, by=bob, post=post, title="Why bees"
    )
    with on_commit(execute=True):
        return dialogues.accept_dialogue(proposal, by=alice)


def test_remote_follower_receives_a_newly_published_dialogue(
    client, remote, alice, bob, bees, django_capture_on_commit_callbacks
):
    remote_follows(client, remote, alice, ALICE)
    dialogue = talk(alice, bob, bees, django_capture_on_commit_callbacks)
    creates = [a for a in received(remote, alice, ALICE) if a["type"] == "Create"]
    article = creates[-1]["object"]
    assert creates[-1]["actor"] == ALICE
    assert PUBLIC in creates[-1]["to"]
    assert f"{ALICE}followers" in creates[-1]["cc"]
    assert article["type"] == "Article"
    assert article["id"] == f"https://{DOMAIN}/d/{dialogue.pk}/"
    assert article["name"] == "Why bees"
    assert WORDS[0] in article["content"]
    assert "My grandmother kept <strong>six</strong> hives." in article["content"]
    # Each member sends it as their own, naming the other.
    assert article["attributedTo"] == ALICE
    assert article["tag"] == [{"type": "Mention", "href": BOB}]


PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def test_public_post_is_sent_to_followers_once_per_inbox(
    client, remote, alice, bees, django_capture_on_commit_callbacks
):
    remote_follows(client, remote, alice, ALICE)
    with django_capture_on_commit_callbacks(execute=True):
        post = posts.create_post(bees, by=alice, title="Swarms", body="In *May*.")
    (create,) = received(remote, alice, ALICE)
    assert create["type"] == "Create"
    assert create["object"]["id"] == f"https://{DOMAIN}/p/{post.pk}/"
    assert create["object"]["type"] == "Page"
    assert create["object"]["content"] == "<p>In <em>May</em>.</p>"
    with django_capture_on_commit_callbacks(execute=True):
        posts.delete_post(post, by=alice)
    delete = received(remote, alice, ALICE)[-1]
    assert delete["type"] == "Delete"
    assert delete["object"] == {"id": create["object"]["id"], "type": "Tombstone"}


def test_an_edit_sends_the_new_words(
    client, remote, alice, bees, django_capture_on_commit_callbacks
):
    remote_follows(client, remote, alice, ALICE)
    with django_capture_on_commit_callbacks(execute=True):
        post = posts.create_post(bees, by=alice, title="Swarms", body="In May.")
    with django_capture_on_commit_callbacks(execute=True):
        posts.edit_post(post, by=alice, body="In *June*.")
    update = received(remote, alice, ALICE)[-1]
    assert update["type"] == "Update"
    assert update["object"]["id"] == f"https://{DOMAIN}/p/{post.pk}/"
    assert update["object"]["content"] == "<p>In <em>June</em>.</p>"
    assert "updated" in update["object"]


def test_private_posts_are_never_sent(
    client, remote, alice, den, django_capture_on_commit_callbacks
):
    remote_follows(client, remote, alice, ALICE)
    with django_capture_on_commit_callbacks(execute=True):
        post = posts.create_post(den, by=alice, title="Among us", body="Secret.")
        posts.delete_post(post, by=alice)
    assert remote.posts == []
    assert [d.activity["type"] for d in Delivery.objects.all()] == ["Accept"]


def test_a_dialogue_reaches_a_shared_inbox_once_and_its_withdrawal_too(
    client, remote, alice, bob, bees, django_capture_on_commit_callbacks
):
    remote_follows(client, remote, alice, ALICE)
    Follower.objects.filter(member=alice).update(member=bob)  # bo follows bob...
    remote_follows(client, remote, alice, ALICE)  # ...and alice
    dialogue = talk(alice, bob, bees, django_capture_on_commit_callbacks)
    creates = [a for a in json_posts(remote) if a["object"].get("type") == "Article"]
    assert len(creates) == 1  # one shared inbox: the Article arrives once
    remote.posts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dialogues.withdraw_dialogue(dialogue, by=bob)
    (delete,) = json_posts(remote)
    assert delete["type"] == "Delete"
    assert delete["object"] == {
        "id": f"https://{DOMAIN}/d/{dialogue.pk}/",
        "type": "Tombstone",
    }


def json_posts(remote):
    return [json.loads(body) for _, _, body in remote.posts]


def test_a_withdrawn_proposal_sends_nothing(
    client, remote, alice, bob, bees, django_capture_on_commit_callbacks
):
    remote_follows(client, remote, alice, ALICE)
    conversation = conversations.request_conversation(by=bob, to=alice, message="Hi")
    conversations.accept_conversation(conversation, by=alice)
    conversation.refresh_from_db()
    proposal = dialogues.propose_dialogue(conversation, by=bob, community=bees)
    with django_capture_on_commit_callbacks(execute=True):
        dialogues.withdraw_dialogue(proposal, by=bob)
    assert remote.posts == []


def test_nothing_is_sent_while_federation_is_off(
    alice, bees, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        posts.create_post(bees, by=alice, title="Quiet", body="Nobody hears.")
    assert callbacks == []  # no fan-out is even scheduled
    assert not Delivery.objects.exists()


# Outboxes and objects --------------------------------------------------------------------


def test_member_outbox_lists_public_creates_without_a_count(
    client, remote, alice, bob, bees, den, django_capture_on_commit_callbacks
):
    dialogue = talk(alice, bob, bees, django_capture_on_commit_callbacks)
    posts.create_post(den, by=alice, title="Among us", body="Secret.")
    response = client.get("/@alice/outbox")
    assert response.status_code == 200
    outbox = response.json()
    assert outbox["type"] == "OrderedCollection"
    assert "totalItems" not in outbox
    names = [item["object"]["name"] for item in outbox["orderedItems"]]
    assert names == ["Why bees", "Wintering bees"]  # newest first; den's is private
    assert outbox["orderedItems"][0]["object"]["id"].endswith(f"/d/{dialogue.pk}/")
    group = client.get("/c/bees/outbox").json()
    assert "totalItems" not in group
    assert [item["object"]["name"] for item in group["orderedItems"]] == names
    assert client.get("/c/den/outbox").status_code == 404


def test_dialogue_and_post_urls_serve_objects_to_peers(
    client, remote, alice, bob, bees, den, django_capture_on_commit_callbacks
):
    dialogue = talk(alice, bob, bees, django_capture_on_commit_callbacks)
    response = client.get(f"/d/{dialogue.pk}/", headers={"Accept": ACTIVITY})
    assert response.status_code == 200
    assert "Accept" in response["Vary"]
    article = response.json()
    assert article["type"] == "Article"
    assert article["name"] == "Why bees"
    assert WORDS[0] in article["content"]
    page = client.get(f"/d/{dialogue.pk}/", headers={"Accept": "text/html"})
    assert page["Content-Type"].startswith("text/html")
    post = dialogue.post
    assert client.get(f"/p/{post.pk}/", headers={"Accept": ACTIVITY}).json()[
        "name"
    ] == ("Wintering bees")
    secret = posts.create_post(den, by=alice, title="Among us", body="Secret.")
    hidden = client.get(f"/p/{secret.pk}/", headers={"Accept": ACTIVITY})
    assert hidden.status_code == 404
    dialogues.withdraw_dialogue(dialogue, by=bob)
    gone = client.get(f"/d/{dialogue.pk}/", headers={"Accept": ACTIVITY})
    assert gone.status_code == 404

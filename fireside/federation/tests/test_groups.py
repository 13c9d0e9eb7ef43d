"""Communities as Groups (FEP-1b12): the Group actor, remote follows of it, remote posts
into it, and the Group's Announces, against a remote server played by a local HTTP
server. What the Group sends is checked with the Group's own public key."""

import json

import pytest
from django.utils import timezone

from fireside.communities.models import Community, Membership
from fireside.communities.tests.factories import CommunityFactory
from fireside.federation.keys import group_key
from fireside.federation.models import (
    CommunityInstanceBlock,
    Delivery,
    FederatedObject,
    GroupFollower,
    InboundActivity,
    RemoteActor,
)
from fireside.federation.signatures import verify_request
from fireside.federation.tests.conftest import DOMAIN
from fireside.federation.tests.peer import ACTIVITY, post_activity
from fireside.moderation.models import ModAction
from fireside.posts import actions as posts
from fireside.posts.models import Post

pytestmark = pytest.mark.django_db

HEARTH = f"https://{DOMAIN}/c/hearth/"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def hearth(alice):
    return CommunityFactory(
        slug="hearth",
        name="Hearth",
        description="Stories *by* the fire.",
        created_by=alice,
    )


def follow(remote, target=HEARTH, number=1):
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor}#follows/{number}",
        "type": "Follow",
        "actor": remote.actor,
        "object": target,
    }


def page_create(remote, number=1, **fields):
    page = {
        "id": f"{remote.actor}/pages/{number}",
        "type": "Page",
        "attributedTo": remote.actor,
        "to": [HEARTH, PUBLIC],
        "audience": HEARTH,
        "name": f"Tales from afar {number}",
        "content": "<p>We sat by a <b>fire</b> too.</p>",
        **fields,
    }
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor}/activities/create/{number}",
        "type": "Create",
        "actor": remote.actor,
        "to": [HEARTH, PUBLIC],
        "object": page,
    }


def sent(remote, kind):
    """The activities of KIND we POSTed to the remote server, checked to be signed by
    hearth's Group key."""
    found = []
    community = Community.objects.get(slug="hearth")
    for path, headers, body in remote.posts:
        activity = json.loads(body)
        if activity["type"] != kind:
            continue
        verified = verify_request(
            "POST",
            path,
            headers,
            body,
            key_resolver=lambda key_id, refresh: (
                group_key(community).public_pem,
                HEARTH,
            ),
        )
        assert verified.key_id == f"{HEARTH}#main-key"
        assert activity["actor"] == HEARTH
        found.append(activity)
    return found


def stand_in(remote):
    return RemoteActor.objects.get(actor_id=remote.actor).member


# The Group actor -------------------------------------------------------------------------


def test_community_url_serves_a_group_to_peers(client, federation, hearth):
    response = client.get("/c/hearth/", headers={"Accept": ACTIVITY})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ACTIVITY)
    assert "Accept" in response["Vary"]
    group = response.json()
    assert group["type"] == "Group"
    assert group["id"] == HEARTH
    assert group["preferredUsername"] == "hearth"
    assert group["name"] == "Hearth"
    assert group["summary"] == "<p>Stories <em>by</em> the fire.</p>"
    assert group["inbox"] == f"{HEARTH}inbox"
    assert group["outbox"] == f"{HEARTH}outbox"
    assert group["endpoints"]["sharedInbox"] == f"https://{DOMAIN}/inbox"
    assert group["manuallyApprovesFollowers"] is False
    assert group["postingRestrictedToMods"] is False
    assert group["publicKey"]["publicKeyPem"] == group_key(hearth).public_pem
    assert group["publicKey"]["id"] == f"{HEARTH}#main-key"
    followers = client.get("/c/hearth/followers").json()
    assert followers["type"] == "OrderedCollection"
    assert "totalItems" not in followers
    assert "orderedItems" not in followers


def test_community_url_serves_the_page_to_browsers(client, federation, hearth):
    response = client.get("/c/hearth/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "Hearth" in response.content.decode()
    assert "Accept" in response["Vary"]
    # Fediverse software finds the Group from the page.
    assert (
        f'<link rel="alternate" type="application/activity+json" href="{HEARTH}">'
        in response.content.decode()
    )


def test_pages_name_no_actor_while_federation_is_off(client, alice, hearth):
    for path in ("/c/hearth/", "/@alice/"):
        assert 'rel="alternate"' not in client.get(path).content.decode()


@pytest.mark.parametrize(
    "changes",
    [{"is_listed": False}, {"visibility": Community.Visibility.REQUEST}],
    ids=["unlisted", "by-request"],
)
def test_only_listed_open_communities_federate(client, federation, alice, changes):
    CommunityFactory(slug="hearth", created_by=alice, **changes)
    assert client.get("/c/hearth/", headers={"Accept": ACTIVITY}).status_code == 404
    assert client.get("/c/hearth/outbox").status_code == 404
    assert client.get("/c/hearth/followers").status_code == 404
    assert client.post("/c/hearth/inbox").status_code == 404
    finger = client.get("/.well-known/webfinger", {"resource": f"acct:hearth@{DOMAIN}"})
    assert finger.status_code == 404


def test_webfinger_finds_a_group_unless_a_member_has_the_name(
    client, federation, hearth, alice
):
    finger = client.get("/.well-known/webfinger", {"resource": f"acct:hearth@{DOMAIN}"})
    assert finger.status_code == 200
    assert finger.json()["subject"] == f"acct:hearth@{DOMAIN}"
    assert {"rel": "self", "type": ACTIVITY, "href": HEARTH} in finger.json()["links"]
    CommunityFactory(slug="alice", created_by=alice)
    finger = client.get("/.well-known/webfinger", {"resource": f"acct:alice@{DOMAIN}"})
    assert finger.json()["aliases"] == [f"https://{DOMAIN}/@alice/"]  # the member
    by_url = client.get(
        "/.well-known/webfinger", {"resource": f"https://{DOMAIN}/c/alice/"}
    )
    assert by_url.json()["aliases"] == [f"https://{DOMAIN}/c/alice/"]
    group = client.get("/c/alice/", headers={"Accept": ACTIVITY}).json()
    assert "webfinger" not in group
    assert client.get("/c/hearth/", headers={"Accept": ACTIVITY}).json()[
        "webfinger"
    ] == (f"hearth@{DOMAIN}")


# Follows ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/inbox", "/c/hearth/inbox"])
def test_follow_of_the_group_is_accepted_signed_by_the_group(
    client, remote, hearth, path
):
    response = post_activity(client, remote, follow(remote), path=path)
    assert response.status_code == 202
    assert GroupFollower.objects.get(community=hearth).remote_actor.actor_id == (
        remote.actor
    )
    member = stand_in(remote)
    assert member.is_remote
    assert Membership.objects.active().filter(community=hearth, member=member).exists()
    (accept,) = sent(remote, "Accept")
    assert accept["object"]["id"] == follow(remote)["id"]
    assert remote.posts[-1][0] == "/inbox"  # the shared inbox, preferred


def test_undo_ends_the_follow_and_the_membership(client, remote, hearth):
    post_activity(client, remote, follow(remote))
    undo = {
        "id": f"{remote.actor}#undo/1",
        "type": "Undo",
        "actor": remote.actor,
        "object": follow(remote),
    }
    assert post_activity(client, remote, undo).status_code == 202
    assert not GroupFollower.objects.exists()
    assert not Membership.objects.filter(member=stand_in(remote)).exists()


def test_follow_from_a_blocked_instance_is_rejected(client, remote, hearth, alice):
    CommunityInstanceBlock.objects.create(
        community=hearth, domain="127.0.0.1", created_by=alice
    )
    post_activity(client, remote, follow(remote))
    assert not GroupFollower.objects.exists()
    (reject,) = sent(remote, "Reject")
    assert reject["object"]["id"] == follow(remote)["id"]
    assert sent(remote, "Accept") == []


def test_follow_by_a_banned_stand_in_is_rejected(client, remote, hearth, alice):
    post_activity(client, remote, follow(remote))
    member = stand_in(remote)
    Membership.objects.filter(member=member).delete()
    GroupFollower.objects.all().delete()
    ModAction.objects.create(
        community=hearth,
        kind=ModAction.Kind.BAN,
        subject=member,
        reason="Spam.",
        state=ModAction.State.IN_FORCE,
        in_force_at=timezone.now(),
    )
    post_activity(client, remote, follow(remote, number=2))
    assert not GroupFollower.objects.exists()
    assert sent(remote, "Reject")[0]["object"]["id"] == follow(remote, number=2)["id"]


# Posts into the Group --------------------------------------------------------------------


def test_remote_post_is_opened_by_the_stand_in_and_announced(client, remote, hearth):
    post_activity(client, remote, follow(remote))
    response = post_activity(client, remote, page_create(remote))
    assert response.status_code == 202
    post = Post.objects.get(community=hearth)
    assert post.author == stand_in(remote)
    assert post.title == "Tales from afar 1"
    assert post.body == "We sat by a fire too."
    assert FederatedObject.objects.get(post=post).object_id == (
        f"{remote.actor}/pages/1"
    )
    (announce,) = sent(remote, "Announce")
    assert announce["object"]["id"] == page_create(remote)["id"]
    assert announce["object"]["object"]["id"] == f"{remote.actor}/pages/1"
    assert announce["audience"] == HEARTH


def test_markdown_source_is_preferred(client, remote, hearth):
    activity = page_create(
        remote,
        source={"content": "We sat by a **fire**.", "mediaType": "text/markdown"},
    )
    post_activity(client, remote, activity)
    assert Post.objects.get().body == "We sat by a **fire**."


def test_a_repeated_create_makes_one_post(client, remote, hearth):
    post_activity(client, remote, page_create(remote))
    post_activity(client, remote, page_create(remote))
    assert Post.objects.count() == 1
    assert InboundActivity.objects.filter(note="already received").count() == 1


def test_stand_in_over_the_post_limit_is_rejected(
    client, remote, hearth, real_level_limits
):
    for number in range(1, 5):
        post_activity(client, remote, page_create(remote, number=number))
    assert Post.objects.count() == 3  # level 0: three posts a day
    (reject,) = sent(remote, "Reject")
    assert reject["object"]["object"]["id"] == f"{remote.actor}/pages/4"
    assert not FederatedObject.objects.filter(
        object_id=f"{remote.actor}/pages/4"
    ).exists()


def test_link_rule_applies_to_remote_posts(client, remote, hearth, real_level_limits):
    activity = page_create(
        remote, content='<p>Buy at <a href="https://spam.example/x">our shop</a></p>'
    )
    post_activity(client, remote, activity)
    assert not Post.objects.exists()
    assert sent(remote, "Reject")


def test_links_of_remote_html_are_kept(client, remote, hearth, settings):
    settings.FIRESIDE_LINKS_MIN_LEVEL = 0
    activity = page_create(
        remote,
        content='<p>See <a href="https://fire.example/a?b=1&amp;c=2">this</a></p>',
    )
    post_activity(client, remote, activity)
    assert Post.objects.get().body == "See [this](https://fire.example/a?b=1&c=2)"


def test_banned_stand_in_cannot_post(client, remote, hearth):
    post_activity(client, remote, follow(remote))
    ModAction.objects.create(
        community=hearth,
        kind=ModAction.Kind.BAN,
        subject=stand_in(remote),
        reason="Spam.",
        state=ModAction.State.IN_FORCE,
        in_force_at=timezone.now(),
    )
    post_activity(client, remote, page_create(remote))
    assert not Post.objects.exists()
    assert not FederatedObject.objects.exists()
    assert sent(remote, "Reject")[0]["object"]["id"] == page_create(remote)["id"]


def test_post_into_a_community_that_does_not_federate_is_ignored(
    client, remote, hearth
):
    Community.objects.filter(pk=hearth.pk).update(is_listed=False)
    post_activity(client, remote, page_create(remote))
    assert not Post.objects.exists()
    assert InboundActivity.objects.get().note == "the community does not federate"


def test_author_deletes_their_remote_post(client, remote, hearth):
    post_activity(client, remote, follow(remote))
    post_activity(client, remote, page_create(remote))
    delete = {
        "id": f"{remote.actor}/activities/delete/1",
        "type": "Delete",
        "actor": remote.actor,
        "object": {"id": f"{remote.actor}/pages/1", "type": "Tombstone"},
    }
    post_activity(client, remote, delete)
    assert Post.objects.get().is_deleted
    announces = sent(remote, "Announce")
    assert announces[-1]["object"]["type"] == "Delete"


def test_author_edits_their_remote_post(client, remote, hearth):
    post_activity(client, remote, follow(remote))
    post_activity(client, remote, page_create(remote))
    edited = page_create(remote, name="Tales, edited", content="<p>New words.</p>")
    update = {**edited, "id": f"{remote.actor}/activities/update/1", "type": "Update"}
    post_activity(client, remote, update)
    post = Post.objects.get()
    assert (post.title, post.body) == ("Tales, edited", "New words.")
    assert sent(remote, "Announce")[-1]["object"]["type"] == "Update"


def test_local_post_is_announced_to_group_followers(
    client, remote, hearth, alice, django_capture_on_commit_callbacks
):
    post_activity(client, remote, follow(remote))
    with django_capture_on_commit_callbacks(execute=True):
        post = posts.create_post(hearth, by=alice, title="Kindling", body="Dry *oak*.")
    (announce,) = sent(remote, "Announce")
    create = announce["object"]
    assert create["type"] == "Create"
    assert create["actor"] == f"https://{DOMAIN}/@alice/"
    page = create["object"]
    assert page["id"] == f"https://{DOMAIN}/p/{post.pk}/"
    assert page["name"] == "Kindling"
    assert page["content"] == "<p>Dry <em>oak</em>.</p>"
    assert page["source"] == {"content": "Dry *oak*.", "mediaType": "text/markdown"}
    assert page["audience"] == HEARTH
    with django_capture_on_commit_callbacks(execute=True):
        posts.delete_post(post, by=alice)
    assert sent(remote, "Announce")[-1]["object"]["type"] == "Delete"
    assert Delivery.objects.filter(community=hearth).count() == 3  # Accept + 2


def test_a_post_the_cohort_hid_is_deleted_by_the_group_and_back_when_overturned(
    client, remote, hearth, alice, bob, charlie, django_capture_on_commit_callbacks
):
    from fireside.communities.models import Rule
    from fireside.moderation import actions as moderation

    Rule.objects.create(community=hearth, number=1, text="Be kind.")
    for member in (bob, charlie):
        Membership.objects.create(community=hearth, member=member)
    post_activity(client, remote, follow(remote))
    with django_capture_on_commit_callbacks(execute=True):
        post = posts.create_post(hearth, by=bob, title="Rude", body="Words.")
    case = moderation.file_report(
        post, by=charlie, rule_number=1, reason="Unkind."
    ).case
    with django_capture_on_commit_callbacks(execute=True):
        action = moderation.propose_action(
            case, by=alice, kind="hide", rule_number=1, reason="Unkind words."
        )
    assert action.state == ModAction.State.IN_FORCE
    delete = sent(remote, "Announce")[-1]["object"]
    assert delete["type"] == "Delete"
    assert delete["actor"] == HEARTH
    assert delete["object"]["id"] == f"https://{DOMAIN}/p/{post.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        moderation.overturn_action(action, by=alice, reason="It was a joke.")
    again = sent(remote, "Announce")[-1]["object"]
    assert again["type"] == "Create"
    assert again["object"]["id"] == f"https://{DOMAIN}/p/{post.pk}/"

"""Inboxes, remote follows and delivery, against a remote server played by a local HTTP
server on 127.0.0.1 (reachable because the test-only FEDERATION_ALLOW_PRIVATE_ADDRESSES is
on). The remote actor signs with a key made here; our Accept is checked with our key."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.federation import actions, delivery, tasks
from fireside.federation.keys import generate_pem_pair, key_for
from fireside.federation.models import (
    Delivery,
    Follower,
    InboundActivity,
    RemoteActor,
)
from fireside.federation.signatures import verify_request
from fireside.federation.tests.conftest import DOMAIN
from fireside.federation.tests.peer import ACTIVITY, post_activity

pytestmark = pytest.mark.django_db

ALICE = f"https://{DOMAIN}/@alice/"


def follow(remote, number=1):
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor}#follows/{number}",
        "type": "Follow",
        "actor": remote.actor,
        "object": ALICE,
    }


def assert_accept_delivered(remote, alice, kind="Accept"):
    path, headers, body = remote.posts[-1]
    assert path == "/inbox"  # the shared inbox, preferred
    activity = json.loads(body)
    assert activity["type"] == kind
    assert activity["actor"] == ALICE
    assert activity["object"]["id"] == follow(remote)["id"]
    verified = verify_request(
        "POST",
        path,
        headers,
        body,
        key_resolver=lambda key_id, refresh: (key_for(alice).public_pem, ALICE),
    )
    assert verified.key_id == f"{ALICE}#main-key"


# Follows -----------------------------------------------------------------------------


def test_signed_follow_waits_for_the_member(client, remote, alice):
    response = post_activity(client, remote, follow(remote))
    assert response.status_code == 202
    follower = Follower.objects.get(member=alice)
    assert follower.state == Follower.State.PENDING
    assert follower.remote_actor.actor_id == remote.actor
    assert follower.remote_actor.handle == "@bo@127.0.0.1"
    assert InboundActivity.objects.get().state == InboundActivity.State.PROCESSED
    assert remote.posts == []  # nothing is said before the member answers


def test_follow_arrives_at_the_member_inbox_too(client, remote, alice):
    response = post_activity(client, remote, follow(remote), path="/@alice/inbox")
    assert response.status_code == 202
    assert Follower.objects.filter(member=alice).exists()


def test_member_accepts_and_an_accept_is_delivered_signed(client, remote, alice):
    post_activity(client, remote, follow(remote))
    follower = Follower.objects.get(member=alice)
    client.force_login(alice)
    page = client.get("/settings/follows/")
    assert "@bo@127.0.0.1" in page.content.decode()
    response = client.post(f"/settings/follows/{follower.pk}/", {"decision": "accept"})
    assert response.status_code == 302
    follower.refresh_from_db()
    assert follower.state == Follower.State.ACCEPTED
    assert_accept_delivered(remote, alice)
    assert Delivery.objects.get().state == Delivery.State.DELIVERED


def test_member_refuses_and_a_reject_is_delivered(client, remote, alice):
    post_activity(client, remote, follow(remote))
    follower = Follower.objects.get(member=alice)
    client.force_login(alice)
    client.post(f"/settings/follows/{follower.pk}/", {"decision": "refuse"})
    assert not Follower.objects.exists()
    assert_accept_delivered(remote, alice, kind="Reject")


def test_nobody_else_answers_a_members_request(client, remote, alice, bob):
    post_activity(client, remote, follow(remote))
    follower = Follower.objects.get(member=alice)
    client.force_login(bob)
    response = client.post(f"/settings/follows/{follower.pk}/", {"decision": "accept"})
    assert response.status_code == 404
    assert "@bo@127.0.0.1" not in client.get("/settings/follows/").content.decode()
    follower.refresh_from_db()
    assert follower.state == Follower.State.PENDING


def test_automatic_acceptance_when_the_member_chose_it(client, remote, alice):
    client.force_login(alice)
    response = client.post("/settings/follows/", {"follows": "automatic"})
    assert response.status_code == 302
    assert not actions.approves_follows(alice)
    post_activity(client, remote, follow(remote))
    assert Follower.objects.get(member=alice).state == Follower.State.ACCEPTED
    assert_accept_delivered(remote, alice)


def test_the_actor_document_tells_the_members_choice(client, remote, alice):
    def approves():
        return client.get("/@alice/", headers={"Accept": ACTIVITY}).json()[
            "manuallyApprovesFollowers"
        ]

    assert approves() is True
    actions.set_approve_follows(alice, False)
    assert approves() is False


@pytest.mark.parametrize("by_id", [False, True])
def test_undo_removes_the_follow(client, remote, alice, by_id):
    post_activity(client, remote, follow(remote))
    assert Follower.objects.exists()
    undo = {
        "id": f"{remote.actor}#undo/1",
        "type": "Undo",
        "actor": remote.actor,
        "object": follow(remote)["id"] if by_id else follow(remote),
    }
    assert post_activity(client, remote, undo).status_code == 202
    assert not Follower.objects.exists()


def test_block_removes_their_follow(client, remote, alice):
    actions.set_approve_follows(alice, False)
    post_activity(client, remote, follow(remote))
    block = {
        "id": f"{remote.actor}#blocks/1",
        "type": "Block",
        "actor": remote.actor,
        "object": ALICE,
    }
    post_activity(client, remote, block)
    assert not Follower.objects.exists()


def test_delete_of_a_known_actor_forgets_it(client, remote, alice):
    post_activity(client, remote, follow(remote))
    delete = {
        "id": f"{remote.actor}#delete",
        "type": "Delete",
        "actor": remote.actor,
        "object": remote.actor,
    }
    assert post_activity(client, remote, delete).status_code == 202
    assert not RemoteActor.objects.exists()
    assert not Follower.objects.exists()


def test_delete_from_an_unknown_actor_is_dropped_without_a_fetch(client, remote):
    delete = {
        "id": f"{remote.actor}#delete",
        "type": "Delete",
        "actor": remote.actor,
        "object": remote.actor,
    }
    response = post_activity(client, remote, delete)
    assert response.status_code == 202
    assert remote.gets == []
    assert not InboundActivity.objects.exists()


# Refusals ----------------------------------------------------------------------------


def test_tampered_body_is_refused_and_nothing_stored(client, remote, alice):
    tampered = json.dumps({**follow(remote), "object": f"https://{DOMAIN}/@bob/"})
    response = post_activity(client, remote, follow(remote), body=tampered.encode())
    assert response.status_code == 401
    assert response.json()["code"] == "bad_digest"
    assert not InboundActivity.objects.exists()
    assert not Follower.objects.exists()


def test_wrong_key_is_refused_and_nothing_stored(client, remote, alice):
    _, other_private = generate_pem_pair()
    response = post_activity(client, remote, follow(remote), private_pem=other_private)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert not InboundActivity.objects.exists()
    # The key was fetched, then fetched once more in case it had rotated.
    assert remote.gets == ["/users/bo", "/users/bo"]


def test_signer_must_be_the_activitys_actor(client, remote, alice):
    activity = {**follow(remote), "actor": "http://127.0.0.1:1/users/someone-else"}
    response = post_activity(client, remote, activity)
    assert response.status_code == 401
    assert response.json()["code"] == "actor_mismatch"
    assert not InboundActivity.objects.exists()


def test_unsigned_activity_is_refused(client, remote, alice):
    response = client.post(
        "/inbox", data=json.dumps(follow(remote)), content_type=ACTIVITY
    )
    assert response.status_code == 401
    assert response.json()["code"] == "missing_signature"


def test_large_or_non_json_bodies_are_refused(client, remote):
    big = client.post(
        "/inbox", data=b"{" + b" " * (300 * 1024) + b"}", content_type=ACTIVITY
    )
    assert big.status_code == 413
    text = client.post("/inbox", data="hello", content_type="text/plain")
    assert text.status_code == 415
    listed = client.post("/inbox", data="[1]", content_type=ACTIVITY)
    assert listed.status_code == 400


def test_unknown_member_inbox_is_404(client, remote):
    assert (
        client.post("/@nobody_here/inbox", data="{}", content_type=ACTIVITY).status_code
        == 404
    )


@pytest.mark.parametrize("path", ["/inbox", "/@alice/inbox"])
def test_inboxes_are_404_while_federation_is_off(client, alice, path):
    response = client.post(path, data="{}", content_type=ACTIVITY)
    assert response.status_code == 404
    assert response.json()["code"] == "federation_off"


# Delivery ----------------------------------------------------------------------------


def test_retry_schedule_doubles_and_is_capped():
    assert [delivery.retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert delivery.retry_delay(30) == delivery.MAX_RETRY_DELAY


def _delivery(remote, alice):
    return Delivery.objects.create(
        target=f"{remote.base}/inbox", activity={"type": "Accept"}, sender=alice
    )


def test_failed_delivery_is_retried_when_due(remote, alice):
    remote.post_status = 503
    item = _delivery(remote, alice)
    tasks.deliver.call(item.pk)
    item.refresh_from_db()
    assert (item.state, item.attempts) == (Delivery.State.PENDING, 1)
    assert "503" in item.last_error
    assert item.next_attempt_at > timezone.now()
    # Not due yet: the sweep leaves it alone.
    tasks.retry_deliveries.call()
    assert len(remote.posts) == 1
    # Its time comes: the next attempt goes out and succeeds.
    Delivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    remote.post_status = 202
    tasks.retry_deliveries.call()
    item.refresh_from_db()
    assert (item.state, item.attempts) == (Delivery.State.DELIVERED, 2)
    assert len(remote.posts) == 2


def test_delivery_is_given_up_after_48_hours(remote, alice):
    remote.post_status = 500
    item = _delivery(remote, alice)
    Delivery.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - delivery.GIVE_UP_AFTER + timedelta(seconds=30)
    )
    tasks.deliver.call(item.pk)
    item.refresh_from_db()
    assert item.state == Delivery.State.GAVE_UP


def test_delivery_refused_for_good_is_given_up_at_once(remote, alice):
    remote.post_status = 410
    item = _delivery(remote, alice)
    tasks.deliver.call(item.pk)
    item.refresh_from_db()
    assert (item.state, item.attempts) == (Delivery.State.GAVE_UP, 1)


def test_delivery_to_a_private_address_is_refused_without_the_test_setting(
    federation, alice
):
    item = Delivery.objects.create(
        target="https://127.0.0.1/inbox", activity={}, sender=alice
    )
    tasks.deliver.call(item.pk)
    item.refresh_from_db()
    assert "loopback" in item.last_error

"""Forwarded activities: bo's activity, posted to us by carol (another actor on the same
peer, with her own key). It is believed only as bo's server serves it: re-fetched by its
id, and the fetched document, never the posted body, is stored and processed."""

import json

import pytest

from fireside.federation.keys import generate_pem_pair
from fireside.federation.models import Follower, InboundActivity
from fireside.federation.signatures import sign_request
from fireside.federation.tests.conftest import DOMAIN
from fireside.federation.tests.peer import ACTIVITY

pytestmark = pytest.mark.django_db

ALICE = f"https://{DOMAIN}/@alice/"
BOB = f"https://{DOMAIN}/@bob/"


@pytest.fixture
def carol(remote):
    """A second actor on the peer, who forwards what bo wrote."""
    public_pem, private_pem = generate_pem_pair()
    actor = f"{remote.base}/users/carol"
    remote.documents["/users/carol"] = {
        "@context": ["https://www.w3.org/ns/activitystreams"],
        "id": actor,
        "type": "Person",
        "preferredUsername": "carol",
        "inbox": f"{actor}/inbox",
        "publicKey": {
            "id": f"{actor}#main-key",
            "owner": actor,
            "publicKeyPem": public_pem,
        },
    }
    return {"key_id": f"{actor}#main-key", "private_pem": private_pem}


def follow_by_bo(remote, target=ALICE):
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor}/follows/1",
        "type": "Follow",
        "actor": remote.actor,
        "object": target,
    }


def forward(client, carol, activity):
    """POST ACTIVITY to our shared inbox, signed by carol."""
    body = json.dumps(activity).encode()
    headers = sign_request(
        "POST",
        f"https://{DOMAIN}/inbox",
        {"Content-Type": ACTIVITY},
        body,
        key_id=carol["key_id"],
        private_key_pem=carol["private_pem"],
    )
    headers.pop("Content-Type")
    return client.post("/inbox", data=body, content_type=ACTIVITY, headers=headers)


def test_forwarded_activity_is_refetched_and_the_original_wins(
    client, remote, carol, alice, bob
):
    remote.documents["/users/bo/follows/1"] = follow_by_bo(remote, target=ALICE)
    # carol's copy says bo follows bob: what bo's server serves says alice.
    response = forward(client, carol, follow_by_bo(remote, target=BOB))
    assert response.status_code == 202
    assert "/users/bo/follows/1" in remote.gets
    stored = InboundActivity.objects.get()
    assert stored.raw["object"] == ALICE
    assert stored.actor_id == remote.actor
    assert list(Follower.objects.values_list("member__handle", flat=True)) == ["alice"]


def test_forward_of_something_the_origin_does_not_serve_is_refused(
    client, remote, carol, alice
):
    response = forward(client, carol, follow_by_bo(remote))
    assert response.status_code == 401
    assert response.json()["code"] == "actor_mismatch"
    assert not InboundActivity.objects.exists()
    assert not Follower.objects.exists()


def test_forward_whose_origin_names_another_actor_is_refused(
    client, remote, carol, alice
):
    served = {**follow_by_bo(remote), "actor": f"{remote.base}/users/carol"}
    remote.documents["/users/bo/follows/1"] = served
    response = forward(client, carol, follow_by_bo(remote))
    assert response.status_code == 401
    assert not InboundActivity.objects.exists()


def test_forward_whose_origin_serves_another_id_is_refused(
    client, remote, carol, alice
):
    served = {**follow_by_bo(remote), "id": f"{remote.actor}/follows/2"}
    remote.documents["/users/bo/follows/1"] = served
    response = forward(client, carol, follow_by_bo(remote))
    assert response.status_code == 401
    assert not InboundActivity.objects.exists()


def test_forward_with_an_id_elsewhere_is_refused_without_fetching_it(
    client, remote, carol, alice
):
    activity = {**follow_by_bo(remote), "id": "https://elsewhere.example/follows/1"}
    response = forward(client, carol, activity)
    assert response.status_code == 401
    assert all("follows" not in path for path in remote.gets)
    assert not InboundActivity.objects.exists()

"""Federation in the JSON API: a member's follow settings and followers, the
administrators' instance blocks (CSV too), and a cohort's blocks for its community."""

import json

import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.federation.models import (
    CommunityInstanceBlock,
    FederationSettings,
    Follower,
    InstanceBlock,
)
from fireside.federation.tests.conftest import DOMAIN
from fireside.federation.tests.peer import post_activity

pytestmark = pytest.mark.django_db

ALICE = f"https://{DOMAIN}/@alice/"


@pytest.fixture
def admin(db):
    return MemberFactory(handle="sam", display_name="Sam Staff", is_staff=True)


def follow(remote, target=ALICE):
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor}#follows/1",
        "type": "Follow",
        "actor": remote.actor,
        "object": target,
    }


# A member's follows ------------------------------------------------------------------


def test_follow_settings_read_and_change(api_client, alice):
    api = api_client.as_member(alice)
    assert api.get("me/federation").json() == {"approve_follows": True}
    response = api.request("put", "me/federation", json={"approve_follows": False})
    assert response.status_code == 200
    assert response.json() == {"approve_follows": False}
    assert not FederationSettings.objects.get(member=alice).approve_follows


def test_followers_lists_only_ones_own(client, api_client, remote, alice, bob):
    post_activity(client, remote, follow(remote))
    mine = api_client.as_member(alice).get("me/followers").json()
    assert [(item["handle"], item["state"]) for item in mine] == [
        ("@bo@127.0.0.1", "pending")
    ]
    assert "count" not in json.dumps(mine)
    assert api_client.as_member(bob).get("me/followers").json() == []


def test_accepting_a_follower_delivers_an_accept(client, api_client, remote, alice):
    post_activity(client, remote, follow(remote))
    follower = Follower.objects.get()
    response = api_client.as_member(alice).post(f"me/followers/{follower.pk}/accept")
    assert response.status_code == 200
    assert response.json()["state"] == "accepted"
    assert json.loads(remote.posts[-1][2])["type"] == "Accept"


def test_refusing_a_follower_delivers_a_reject(client, api_client, remote, alice):
    post_activity(client, remote, follow(remote))
    follower = Follower.objects.get()
    response = api_client.as_member(alice).post(f"me/followers/{follower.pk}/refuse")
    assert response.status_code == 204
    assert json.loads(remote.posts[-1][2])["type"] == "Reject"
    assert not Follower.objects.exists()


def test_nobody_answers_someone_elses_follower(client, api_client, remote, alice, bob):
    post_activity(client, remote, follow(remote))
    follower = Follower.objects.get()
    api = api_client.as_member(bob)
    for verb in ("accept", "refuse"):
        response = api.post(f"me/followers/{follower.pk}/{verb}")
        assert response.status_code == 404
    assert Follower.objects.get().state == Follower.State.PENDING
    assert remote.posts == []


# The administrators' blocks ----------------------------------------------------------


def test_staff_instance_blocks_are_for_administrators_only(api_client, alice):
    api = api_client.as_member(alice)
    assert api.get("staff/instance-blocks").status_code == 404
    response = api.post("staff/instance-blocks", json={"domain": "spam.example"})
    assert response.status_code == 404
    assert api.get("staff/instance-blocks/export").status_code == 404
    response = api.post("staff/instance-blocks/import", json={"csv": "spam.example"})
    assert response.status_code == 404
    assert not InstanceBlock.objects.exists()


def test_staff_blocks_lists_and_unblocks(api_client, admin):
    api = api_client.as_member(admin)
    response = api.post(
        "staff/instance-blocks", json={"domain": "Spam.Example", "reason": "Spam"}
    )
    assert response.status_code == 201
    assert response.json()["domain"] == "spam.example"
    listed = api.get("staff/instance-blocks").json()
    assert [(item["domain"], item["reason"]) for item in listed] == [
        ("spam.example", "Spam")
    ]
    assert api.delete("staff/instance-blocks/spam.example").status_code == 204
    assert not InstanceBlock.objects.exists()
    gone = api.delete("staff/instance-blocks/spam.example")
    assert gone.status_code == 404


def test_staff_block_of_a_bad_domain_says_why(api_client, admin):
    response = api_client.as_member(admin).post(
        "staff/instance-blocks", json={"domain": "not a domain"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "domain" in body["errors"]


def test_staff_import_and_export_csv(api_client, admin):
    api = api_client.as_member(admin)
    text = "domain,reason\nspam.example,Spam\nbad line here,x\n"
    report = api.post("staff/instance-blocks/import", json={"csv": text}).json()
    assert report["added"] == ["spam.example"]
    assert report["skipped"][0]["line"] == 3
    assert report["skipped"][0]["domain"] == "bad line here"
    exported = api.get("staff/instance-blocks/export")
    assert exported.status_code == 200
    assert exported["Content-Type"] == "text/csv"
    assert exported.content.decode().splitlines()[1].startswith("spam.example,suspend")


def test_staff_import_of_nothing_is_invalid(api_client, admin):
    response = api_client.as_member(admin).post(
        "staff/instance-blocks/import", json={"csv": "\n"}
    )
    assert response.status_code == 400
    assert "csv" in response.json()["errors"]


# A cohort's blocks -------------------------------------------------------------------


def test_community_instance_blocks_are_for_the_cohort(api_client, alice, bob):
    community = CommunityFactory(created_by=alice)
    MembershipFactory(community=community, member=bob)
    path = f"communities/{community.slug}/instance-blocks"
    outsider = api_client.as_member(bob)
    assert outsider.get(path).status_code == 403
    assert outsider.post(path, json={"domain": "spam.example"}).status_code == 403
    cohort = api_client.as_member(alice)
    response = cohort.post(path, json={"domain": "spam.example", "reason": "Raids"})
    assert response.status_code == 201
    assert [item["domain"] for item in cohort.get(path).json()] == ["spam.example"]
    assert outsider.delete(f"{path}/spam.example").status_code == 403
    assert cohort.delete(f"{path}/spam.example").status_code == 204
    assert not CommunityInstanceBlock.objects.active().exists()


def test_community_instance_blocks_of_an_unknown_community_are_404(api_client, alice):
    response = api_client.as_member(alice).get("communities/nowhere/instance-blocks")
    assert response.status_code == 404

"""Instance blocks: the administrators' (defederation, with CSV lists) and a cohort's for
its community, their effects on inboxes, fetches and deliveries, and their pages. The
remote server is the local peer at 127.0.0.1 (peer.py)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Membership
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations.models import Conversation
from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed
from fireside.federation import actions, blocks, tasks
from fireside.federation import remote as remote_actors
from fireside.federation.fetch import Blocked, fetch_json, post_json
from fireside.federation.members import member_for_actor
from fireside.federation.models import (
    CommunityInstanceBlock,
    Delivery,
    Follower,
    GroupFollower,
    InboundActivity,
    InstanceBlock,
    RemoteActor,
)
from fireside.federation.tests.conftest import DOMAIN
from fireside.federation.tests.peer import ACTIVITY, post_activity

pytestmark = pytest.mark.django_db

ALICE = f"https://{DOMAIN}/@alice/"
PEER = "127.0.0.1"


@pytest.fixture
def admin(db):
    return MemberFactory(handle="sam", display_name="Sam Staff", is_staff=True)


def follow(remote, number=1):
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{remote.actor}#follows/{number}",
        "type": "Follow",
        "actor": remote.actor,
        "object": ALICE,
    }


def stand_in_of(remote):
    """bo, known here with a stand-in member."""
    actor = remote_actors.get_actor(remote.actor)
    assert actor is not None
    return actor, member_for_actor(actor)


def conversation(one, other):
    low, high = sorted([one.pk, other.pk])
    return Conversation.objects.create(
        initiator=one,
        recipient=other,
        pair_low=low,
        pair_high=high,
        state=Conversation.State.ACTIVE,
    )


# CSV lists ---------------------------------------------------------------------------

MASTODON_CSV = """#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate
spam.example,suspend,true,true,Spam by the thousand,false
hate.example,suspend,false,false,"Harassment, organised",false
quiet.example,silence,false,false,Loud,false
"""


def test_import_blocks_csv_reads_mastodons_format(admin):
    report = actions.import_blocks_csv(MASTODON_CSV, by=admin)
    assert report.added == ["spam.example", "hate.example"]
    assert report.skipped == [
        (
            4,
            "quiet.example",
            "The severity “silence” is not imported: Fireside only blocks fully "
            "(suspend).",
        )
    ]
    assert dict(InstanceBlock.objects.values_list("domain", "reason")) == {
        "spam.example": "Spam by the thousand",
        "hate.example": "Harassment, organised",
    }


def test_import_blocks_csv_reports_bad_lines_by_number(federation, admin):
    text = (
        "domain,reason\n"
        "Trolls.Example.,Pile-ons\n"
        "\n"
        "not a domain,x\n"
        "b*d.example,hidden\n"
        f"{DOMAIN},ourselves\n"
        "trolls.example,again\n"
        "1.2.3.4,an address\n"
    )
    report = actions.import_blocks_csv(text, by=admin)
    assert report.added == ["trolls.example", "1.2.3.4"]
    assert [(number, domain) for number, domain, _ in report.skipped] == [
        (4, "not a domain"),
        (5, "b*d.example"),
        (6, DOMAIN),
        (7, "trolls.example"),
    ]
    problems = [problem for _, _, problem in report.skipped]
    assert "not a domain" in problems[0]
    assert "obfuscated" in problems[1]
    assert "own instance" in problems[2]
    assert "line 2" in problems[3]


def test_import_blocks_csv_twice_changes_nothing(admin):
    actions.import_blocks_csv(MASTODON_CSV, by=admin)
    again = actions.import_blocks_csv(MASTODON_CSV, by=admin)
    assert again.added == []
    assert again.updated == []
    assert again.unchanged == ["spam.example", "hate.example"]
    assert InstanceBlock.objects.count() == 2


def test_import_blocks_csv_updates_a_reason(admin):
    actions.block_instance("spam.example", by=admin, reason="old")
    report = actions.import_blocks_csv("spam.example,new words\n", by=admin)
    assert report.updated == ["spam.example"]
    assert InstanceBlock.objects.get().reason == "new words"


def test_import_blocks_csv_refuses_an_empty_list(admin):
    with pytest.raises(ValidationFailed):
        actions.import_blocks_csv("#domain,#severity\n\n", by=admin)


def test_export_blocks_csv_round_trips(admin):
    actions.block_instance("spam.example", by=admin, reason='Says "buy", often')
    actions.block_instance("a.example", by=admin)
    exported = blocks.export_blocks_csv()
    assert exported.splitlines()[0].startswith("#domain,#severity,")
    InstanceBlock.objects.all().delete()
    report = actions.import_blocks_csv(exported, by=admin)
    assert report.added == ["a.example", "spam.example"]
    assert report.skipped == []
    assert blocks.export_blocks_csv() == exported


def test_blocking_needs_an_administrator(alice):
    with pytest.raises(NotAllowed):
        actions.block_instance("spam.example", by=alice)
    with pytest.raises(NotAllowed):
        actions.import_blocks_csv("spam.example\n", by=alice)
    assert not InstanceBlock.objects.exists()


def test_unblocking_an_unblocked_domain_is_not_found(admin):
    with pytest.raises(NotFound):
        actions.unblock_instance("spam.example", by=admin)


# Effects -----------------------------------------------------------------------------


def test_inbox_refuses_a_blocked_instance_without_a_fetch(client, remote, alice, admin):
    actions.block_instance(PEER, by=admin, reason="Spam")
    response = post_activity(client, remote, follow(remote))
    assert response.status_code == 403
    assert response.json()["code"] == "instance_blocked"
    assert remote.gets == []
    assert not InboundActivity.objects.exists()


def test_inbox_refuses_a_subdomain_of_a_blocked_instance(client, remote, admin):
    actions.block_instance("spam.example", by=admin)
    activity = {**follow(remote), "actor": "https://a.b.spam.example/users/x"}
    response = post_activity(client, remote, activity)
    assert response.status_code == 403
    assert not InboundActivity.objects.exists()


def test_delivery_to_a_blocked_instance_is_given_up_without_a_connection(remote, alice):
    item = Delivery.objects.create(
        target=f"{remote.base}/inbox", activity={"type": "Accept"}, sender=alice
    )
    InstanceBlock.objects.create(domain=PEER)
    tasks.deliver.call(item.pk)
    item.refresh_from_db()
    assert item.state == Delivery.State.GAVE_UP
    assert item.attempts == 0
    assert remote.posts == []


def test_fetches_from_a_blocked_instance_are_refused(remote):
    InstanceBlock.objects.create(domain=PEER)
    with pytest.raises(Blocked) as refused:
        fetch_json(remote.actor)
    assert refused.value.code == "instance_blocked"
    with pytest.raises(Blocked):
        post_json(f"{remote.base}/inbox", b"{}")
    assert remote_actors.get_actor(remote.actor) is None
    assert remote.gets == []
    assert remote.posts == []


def test_block_instance_cuts_every_tie(client, remote, alice, admin):
    post_activity(client, remote, follow(remote))
    actor, stand_in = stand_in_of(remote)
    community = CommunityFactory()
    GroupFollower.objects.create(
        community=community, remote_actor=actor, activity_id=f"{remote.actor}#g"
    )
    talk = conversation(stand_in, alice)
    waiting = Delivery.objects.create(
        target=f"{remote.base}/inbox", activity={}, sender=alice
    )
    elsewhere = Delivery.objects.create(
        target="https://other.example/inbox", activity={}, sender=alice
    )

    actions.block_instance(PEER, by=admin, reason="Spam")

    assert not Follower.objects.exists()
    assert not GroupFollower.objects.exists()
    talk.refresh_from_db()
    assert talk.state == Conversation.State.ENDED
    stand_in.refresh_from_db()
    assert not stand_in.is_active
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert waiting.state == Delivery.State.GAVE_UP
    assert elsewhere.state == Delivery.State.PENDING
    assert RemoteActor.objects.filter(pk=actor.pk).exists()  # history stays


def test_unblock_instance_opens_stand_ins_again(client, remote, alice, admin):
    _, stand_in = stand_in_of(remote)
    actions.block_instance(PEER, by=admin)
    actions.unblock_instance(PEER, by=admin)
    stand_in.refresh_from_db()
    assert stand_in.is_active
    assert post_activity(client, remote, follow(remote)).status_code == 202


def test_delete_flood_from_unknown_actors_costs_nothing(
    client, remote, django_assert_max_num_queries
):
    for number in range(200):
        delete = {
            "id": f"https://spam{number}.example/users/x#delete",
            "type": "Delete",
            "actor": f"https://spam{number}.example/users/x",
            "object": f"https://spam{number}.example/users/x",
        }
        with django_assert_max_num_queries(3):
            response = client.post(
                "/inbox", data=json.dumps(delete), content_type=ACTIVITY
            )
        assert response.status_code == 202
    assert remote.gets == []
    assert not InboundActivity.objects.exists()
    assert not RemoteActor.objects.exists()


# A cohort's blocks -------------------------------------------------------------------


def test_cohort_block_ends_follows_and_memberships_from_there(client, remote, alice):
    community = CommunityFactory(created_by=alice)
    other = CommunityFactory()
    actor, stand_in = stand_in_of(remote)
    for place in (community, other):
        GroupFollower.objects.create(
            community=place, remote_actor=actor, activity_id=f"{remote.actor}#g"
        )
        MembershipFactory(community=place, member=stand_in)

    actions.block_instance_for_community(community, PEER, by=alice, reason="Raids")

    assert blocks.community_blocked(community.pk, remote.actor)
    assert not blocks.community_blocked(other.pk, remote.actor)
    assert list(GroupFollower.objects.values_list("community", flat=True)) == [other.pk]
    assert not Membership.objects.filter(community=community, member=stand_in).exists()
    assert Membership.objects.filter(community=other, member=stand_in).exists()
    stand_in.refresh_from_db()
    assert stand_in.is_active  # the rest of the instance still talks with them


def test_cohort_block_needs_the_cohort(alice, bob):
    community = CommunityFactory(created_by=alice)
    MembershipFactory(community=community, member=bob)
    with pytest.raises(NotAllowed):
        actions.block_instance_for_community(community, "spam.example", by=bob)
    actions.block_instance_for_community(community, "spam.example", by=alice)
    with pytest.raises(NotAllowed):
        actions.unblock_instance_for_community(community, "spam.example", by=bob)
    actions.unblock_instance_for_community(community, "spam.example", by=alice)
    assert not CommunityInstanceBlock.objects.active().exists()
    assert not blocks.community_blocked(community.pk, "spam.example")
    # Blocking again after a lift is a new block; both stay on record.
    actions.block_instance_for_community(community, "spam.example", by=alice)
    assert blocks.community_blocked(community.pk, "spam.example")
    assert CommunityInstanceBlock.objects.count() == 2


# Pages -------------------------------------------------------------------------------


def test_staff_federation_page_is_for_administrators_only(client, alice, admin):
    client.force_login(alice)
    assert client.get("/staff/federation/").status_code == 404
    assert client.post("/staff/federation/", {"domain": "x.example"}).status_code == 404
    assert client.get("/staff/federation/export.csv").status_code == 404
    client.force_login(admin)
    response = client.post(
        "/staff/federation/", {"domain": "Spam.Example", "reason": "Spam"}
    )
    assert response.status_code == 302
    page = client.get("/staff/federation/")
    assert page.status_code == 200
    assert "spam.example" in page.content.decode()


def test_staff_federation_page_refuses_a_bad_domain(client, admin):
    client.force_login(admin)
    response = client.post("/staff/federation/", {"domain": "not a domain"})
    assert response.status_code == 400
    assert "is not a domain" in response.content.decode()
    assert not InstanceBlock.objects.exists()


def test_staff_imports_a_file_and_sees_each_line(client, admin):
    client.force_login(admin)
    upload = MASTODON_CSV.encode()
    response = client.post(
        "/staff/federation/import/",
        {"file": SimpleUploadedFile("blocks.csv", upload, content_type="text/csv")},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Line 4 (quiet.example)" in text
    assert InstanceBlock.objects.count() == 2
    exported = client.get("/staff/federation/export.csv")
    assert exported["Content-Type"] == "text/csv"
    assert b"spam.example,suspend" in exported.content


def test_staff_unblocks_from_the_page(client, admin):
    actions.block_instance("spam.example", by=admin)
    client.force_login(admin)
    response = client.post("/staff/federation/unblock/", {"domain": "spam.example"})
    assert response.status_code == 302
    assert not InstanceBlock.objects.exists()


def test_cohort_instances_page_is_for_the_cohort(client, alice, bob):
    community = CommunityFactory(created_by=alice)
    url = f"/c/{community.slug}/cohort/instances/"
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url, {"domain": "spam.example"}).status_code == 403
    client.force_login(alice)
    assert (
        client.post(url, {"domain": "spam.example", "reason": "Raids"}).status_code
        == 302
    )
    assert "spam.example" in client.get(url).content.decode()
    response = client.post(f"{url}unblock/", {"domain": "spam.example"})
    assert response.status_code == 302
    assert not CommunityInstanceBlock.objects.active().exists()


def test_public_list_shows_blocks_with_their_reasons(client, admin):
    actions.block_instance("spam.example", by=admin, reason="Spam by the thousand")
    page = client.get("/about/instances/").content.decode()
    assert "spam.example" in page
    assert "Spam by the thousand" in page


def test_cohort_block_refuses_a_follow_of_the_community(client, remote, alice):
    community = CommunityFactory(slug="hearth", created_by=alice)
    actions.block_instance_for_community(community, PEER, by=alice)
    response = post_activity(
        client, remote, follow(remote) | {"object": f"https://{DOMAIN}/c/hearth/"}
    )
    assert response.status_code == 202
    assert not GroupFollower.objects.exists()
    assert not Membership.objects.filter(member__is_remote=True).exists()
    assert json.loads(remote.posts[-1][2])["type"] == "Reject"


def test_cohort_blocks_and_their_lifting_are_in_the_public_log(
    client, api_client, alice
):
    community = CommunityFactory(created_by=alice, slug="hearth")
    actions.block_instance_for_community(
        community, "spam.example", by=alice, reason="Floods us with ads."
    )
    actions.unblock_instance_for_community(community, "spam.example", by=alice)

    log = api_client.get("communities/hearth/log").json()
    assert [(entry["action"], entry["concerns"]) for entry in log] == [
        ("instance_unblock", "spam.example"),
        ("instance_block", "spam.example"),
    ]
    assert log[1]["reason"] == "Floods us with ads."
    assert {entry["attributed_to"] for entry in log} == {"the cohort"}
    html = client.get("/c/hearth/log/").content.decode()
    page = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Blocked a server of the fediverse · spam.example" in page
    assert "Lifted the block of a server of the fediverse · spam.example" in page
    assert "@alice" not in page


def test_fan_outs_check_every_inbox_in_two_queries(
    admin, alice, django_assert_num_queries
):
    community = CommunityFactory(created_by=alice)
    actions.block_instance("bad.example", by=admin)
    actions.block_instance_for_community(community, "rude.example", by=alice)
    inboxes = [f"https://{host}/inbox" for host in ("ok.example", "a.bad.example")]
    inboxes += [f"https://rude.example/users/{n}/inbox" for n in range(20)]
    inboxes += [f"https://fine{n}.example/inbox" for n in range(20)]

    with django_assert_num_queries(2):
        open_inboxes = blocks.unblocked(inboxes, community_id=community.pk)

    assert open_inboxes == [inboxes[0]] + inboxes[-20:]
    assert blocks.unblocked(inboxes) == [inboxes[0]] + inboxes[2:]

"""Shared blocklists: lists and entries kept by a cohort, publishing, subscriptions, and the
screening of joins (refused or queued, as the subscribing cohort chose)."""

import io
import re

import pytest
from django.core.management import call_command

from fireside.accounts.tests.factories import MemberFactory
from fireside.blocklists import actions
from fireside.blocklists.models import BlocklistSubscription, ScreenedJoin
from fireside.communities import actions as communities
from fireside.communities.models import Community, Membership
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed
from tests.helpers import assert_error

REFUSAL = "This community does not accept your request to join."


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


class World:
    """hearth (lead bob, moderator mod, members alice and troll) keeps a published list
    naming troll. Over at glade (lead gwen, moderator other_mod) the cohort may subscribe.
    charlie is a stranger, admin is staff."""


@pytest.fixture
def world(alice, bob, charlie):
    w = World()
    w.alice, w.bob, w.charlie = alice, bob, charlie
    w.mod = MemberFactory(handle="mod")
    w.troll = MemberFactory(handle="troll")
    w.gwen = MemberFactory(handle="gwen")
    w.other_mod = MemberFactory(handle="other_mod")
    w.admin = MemberFactory(handle="admin", is_staff=True)
    w.hearth = CommunityFactory(slug="hearth", name="Hearth", created_by=bob)
    MembershipFactory(community=w.hearth, member=alice)
    MembershipFactory(community=w.hearth, member=w.troll)
    MembershipFactory(community=w.hearth, member=w.mod, role=Membership.Role.MODERATOR)
    w.glade = CommunityFactory(slug="glade", name="Glade", created_by=w.gwen)
    MembershipFactory(
        community=w.glade, member=w.other_mod, role=Membership.Role.MODERATOR
    )
    w.blocklist = actions.create_blocklist(w.hearth, by=bob, name="Trolls")
    actions.add_entry(
        w.blocklist, by=w.mod, handle="@troll", reason="Dogpiled newcomers."
    )
    actions.set_blocklist_published(w.blocklist, by=bob, is_published=True)
    return w


def subscribe(world, mode):
    subscription, _ = actions.subscribe(
        world.glade, by=world.gwen, blocklist=world.blocklist, mode=mode
    )
    return subscription


# Screening joins (the must-show) ----------------------------------------------------


def test_join_refused_by_a_subscribed_list(world):
    subscribe(world, "refuse")

    with pytest.raises(NotAllowed) as refusal:
        communities.join_community(world.glade, member=world.troll)

    assert refusal.value.code == "join_refused"
    assert refusal.value.message == REFUSAL
    assert "Trolls" not in refusal.value.message
    assert not Membership.objects.filter(
        community=world.glade, member=world.troll
    ).exists()
    logged = ScreenedJoin.objects.get()
    assert (logged.member, logged.outcome, logged.blocklist) == (
        world.troll,
        "refused",
        world.blocklist,
    )


def test_join_queued_by_a_subscribed_list(world):
    subscribe(world, "queue")

    membership = communities.join_community(world.glade, member=world.troll)

    assert membership.state == Membership.State.REQUESTED
    assert ScreenedJoin.objects.get().outcome == "queued"
    communities.decide_join_request(membership, by=world.gwen, approve=True)
    membership.refresh_from_db()
    assert membership.state == Membership.State.ACTIVE


def test_join_open_to_members_on_no_list(world):
    subscribe(world, "refuse")

    membership = communities.join_community(world.glade, member=world.alice)

    assert membership.state == Membership.State.ACTIVE
    assert not ScreenedJoin.objects.exists()


def test_join_without_subscription_ignores_lists(world):
    membership = communities.join_community(world.glade, member=world.troll)

    assert membership.state == Membership.State.ACTIVE


def test_join_screening_ignores_an_unpublished_list_of_another_cohort(world):
    subscribe(world, "refuse")
    actions.set_blocklist_published(world.blocklist, by=world.bob, is_published=False)

    membership = communities.join_community(world.glade, member=world.troll)

    assert membership.state == Membership.State.ACTIVE


def test_join_screening_queues_even_with_an_invite_link(world):
    subscribe(world, "queue")
    invite = communities.create_invite(world.glade, by=world.gwen)

    membership = communities.join_community(
        world.glade, member=world.troll, invite_code=invite.code
    )

    assert membership.state == Membership.State.REQUESTED
    invite.refresh_from_db()
    assert invite.used_at is None


def test_add_entry_leaves_existing_members_in(world):
    MembershipFactory(community=world.glade, member=world.charlie)
    subscribe(world, "refuse")

    actions.add_entry(world.blocklist, by=world.bob, handle="charlie", reason="Spam.")

    assert (
        Membership.objects.get(community=world.glade, member=world.charlie).state
        == "active"
    )


def test_api_join_refused_and_queued(api_client, world):
    subscription = subscribe(world, "refuse")
    troll = api_client.as_member(world.troll)

    refused = troll.post("communities/glade/join")
    body = assert_error(refused, 403, "join_refused")
    assert body["detail"] == REFUSAL

    subscription.mode = "queue"
    subscription.save()
    queued = troll.post("communities/glade/join")
    assert queued.status_code == 202, queued.content
    assert queued.json() == {"state": "requested"}
    requests = api_client.as_member(world.gwen).get("communities/glade/requests").json()
    assert [item["handle"] for item in requests] == ["troll"]


def test_page_join_refused_and_queued(client, world):
    subscription = subscribe(world, "refuse")
    client.force_login(world.troll)

    refused = client.post("/c/glade/join/")
    assert refused.status_code == 403
    assert REFUSAL in text_of(refused)

    subscription.mode = "queue"
    subscription.save()
    client.post("/c/glade/join/")
    assert "Requested — the cohort will decide" in text_of(client.get("/c/glade/"))


# Managing lists ------------------------------------------------------------------------------


def test_add_entry_needs_a_reason_and_a_real_handle(world):
    with pytest.raises(ValidationFailed) as refusal:
        actions.add_entry(
            world.blocklist, by=world.bob, handle="nobody_at_all", reason=""
        )

    assert set(refusal.value.errors) == {"handle", "reason"}


def test_add_entry_only_by_the_owning_cohort(world):
    with pytest.raises(NotAllowed):
        actions.add_entry(world.blocklist, by=world.gwen, handle="alice", reason="No.")
    with pytest.raises(NotAllowed):
        actions.add_entry(
            world.blocklist, by=world.alice, handle="charlie", reason="No."
        )


def test_subscribe_to_an_unpublished_list_of_another_cohort_is_not_found(world):
    private = actions.create_blocklist(world.hearth, by=world.bob, name="Private")

    with pytest.raises(NotFound):
        actions.subscribe(world.glade, by=world.gwen, blocklist=private, mode="queue")


def test_subscribe_needs_the_cohort_and_a_mode(world):
    with pytest.raises(NotAllowed):
        actions.subscribe(
            world.glade, by=world.alice, blocklist=world.blocklist, mode="queue"
        )
    with pytest.raises(ValidationFailed):
        actions.subscribe(
            world.glade, by=world.gwen, blocklist=world.blocklist, mode="maybe"
        )


def test_api_manage_a_list(api_client, world):
    bob = api_client.as_member(world.bob)

    created = bob.post("communities/hearth/blocklists", json={"name": "Spam"})
    assert created.status_code == 201, created.content
    list_id = created.json()["id"]
    assert created.json()["published"] is False
    entry = bob.post(
        f"blocklists/{list_id}/entries",
        json={"handle": "charlie", "reason": "Shop links."},
    )
    assert entry.status_code == 201, entry.content
    assert entry.json()["handle"] == "charlie"
    missing_reason = bob.post(
        f"blocklists/{list_id}/entries", json={"handle": "alice", "reason": " "}
    )
    assert_error(missing_reason, 400, "invalid")
    published = bob.post(f"blocklists/{list_id}/publish")
    assert published.json()["published"] is True
    assert bob.delete(f"blocklists/{list_id}/entries/charlie").status_code == 204
    assert_error(
        bob.delete(f"blocklists/{list_id}/entries/charlie"), 404, "not_on_list"
    )
    own = bob.get("communities/hearth/blocklists").json()
    assert sorted(item["name"] for item in own) == ["Spam", "Trolls"]


def test_api_subscribe_and_unsubscribe(api_client, world):
    gwen = api_client.as_member(world.gwen)

    created = gwen.post(
        "communities/glade/blocklist-subscriptions",
        json={"blocklist": world.blocklist.pk, "mode": "queue"},
    )
    changed = gwen.post(
        "communities/glade/blocklist-subscriptions",
        json={"blocklist": world.blocklist.pk, "mode": "refuse"},
    )
    bad_mode = gwen.post(
        "communities/glade/blocklist-subscriptions",
        json={"blocklist": world.blocklist.pk, "mode": "sometimes"},
    )

    assert created.status_code == 201, created.content
    assert changed.status_code == 200
    assert changed.json()["mode"] == "refuse"
    assert_error(bad_mode, 400, "invalid_mode")
    listed = gwen.get("communities/glade/blocklist-subscriptions").json()
    assert [item["blocklist_name"] for item in listed] == ["Trolls"]
    removed = gwen.delete(
        f"communities/glade/blocklist-subscriptions/{created.json()['id']}"
    )
    assert removed.status_code == 204
    assert not BlocklistSubscription.objects.exists()


def test_api_screenings_for_the_cohort(api_client, world):
    subscribe(world, "queue")
    communities.join_community(world.glade, member=world.troll)

    response = api_client.as_member(world.other_mod).get(
        "communities/glade/blocklist-screenings"
    )

    assert [item["handle"] for item in response.json()] == ["troll"]
    assert_error(
        api_client.as_member(world.alice).get("communities/glade/blocklist-screenings"),
        403,
        "not_cohort",
    )


# Who sees what: anonymous, stranger, member, moderator, lead, another cohort, staff -----------

PERSONAS = ["anonymous", "charlie", "alice", "mod", "bob", "other_mod", "admin"]


def client_for(api_client, world, persona):
    if persona == "anonymous":
        return api_client
    return api_client.as_member(getattr(world, persona))


DIRECTORY = {
    "anonymous": 401,
    "charlie": 403,
    "alice": 403,
    "mod": 200,
    "bob": 200,
    "other_mod": 200,
    "admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_published_directory_is_for_cohorts(api_client, world, persona):
    response = client_for(api_client, world, persona).get("blocklists")

    assert response.status_code == DIRECTORY[persona], response.content
    if response.status_code == 200:
        (item,) = response.json()
        assert item["entries"][0]["handle"] == "troll"
        assert item["entries"][0]["reason"] == "Dogpiled newcomers."


OWN_LISTS = {
    "anonymous": 401,
    "charlie": 403,
    "alice": 403,
    "mod": 200,
    "bob": 200,
    "other_mod": 403,
    "admin": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_community_lists_are_for_its_cohort(api_client, world, persona):
    response = client_for(api_client, world, persona).get(
        "communities/hearth/blocklists"
    )

    assert response.status_code == OWN_LISTS[persona], response.content


ADD_ENTRY = {
    "anonymous": 401,
    "charlie": 404,
    "alice": 404,
    "mod": 201,
    "bob": 201,
    "other_mod": 403,
    "admin": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_entries_are_changed_by_the_owning_cohort(api_client, world, persona):
    response = client_for(api_client, world, persona).post(
        f"blocklists/{world.blocklist.pk}/entries",
        json={"handle": "charlie", "reason": "Spam in three places."},
    )

    assert response.status_code == ADD_ENTRY[persona], response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_publish_by_the_owning_cohort(api_client, world, persona):
    private = actions.create_blocklist(world.hearth, by=world.bob, name="Private")

    response = client_for(api_client, world, persona).post(
        f"blocklists/{private.pk}/publish"
    )

    expected = {"mod": 200, "bob": 200, "anonymous": 401}.get(persona, 404)
    assert response.status_code == expected, response.content


SUBSCRIBE = {
    "anonymous": 401,
    "charlie": 403,
    "alice": 403,
    "mod": 403,
    "bob": 403,
    "other_mod": 201,
    "admin": 403,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_subscribe_by_the_subscribing_cohort(api_client, world, persona):
    response = client_for(api_client, world, persona).post(
        "communities/glade/blocklist-subscriptions",
        json={"blocklist": world.blocklist.pk, "mode": "queue"},
    )

    assert response.status_code == SUBSCRIBE[persona], response.content


PAGES = {
    "anonymous": 302,
    "charlie": 403,
    "alice": 403,
    "mod": 200,
    "bob": 200,
    "other_mod": 200,
    "admin": 200,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_directory_page_is_for_cohorts(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))

    response = client.get("/blocklists/")

    assert response.status_code == PAGES[persona]
    page = text_of(response)
    assert ("Dogpiled newcomers." in page) == (response.status_code == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_page_shows_entries_to_cohorts_only(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world, persona))

    response = client.get(f"/blocklists/{world.blocklist.pk}/")

    expected = {"anonymous": 302, "charlie": 404, "alice": 404}.get(persona, 200)
    assert response.status_code == expected
    page = text_of(response)
    assert ("@troll" in page) == (expected == 200)
    assert ("Add to the list" in page) == (persona in {"mod", "bob"})


def test_entries_never_reach_ordinary_members_pages(client, world):
    client.force_login(world.alice)

    for path in ["/c/hearth/", "/c/hearth/cohort/", "/c/hearth/members/"]:
        page = text_of(client.get(path))
        assert "Dogpiled newcomers." not in page
        assert "Trolls" not in page


# Pages for the cohort ---------------------------------------------------------------------------


def test_community_blocklists_page_create_subscribe_unsubscribe(client, world):
    client.force_login(world.gwen)

    page = client.get("/c/glade/blocklists/")
    assert page.status_code == 200
    assert "never removes them from a community" in text_of(page)
    created = client.post(
        "/c/glade/blocklists/", {"name": "Glade list", "description": ""}
    )
    assert created.status_code == 302
    subscribed = client.post(
        "/c/glade/blocklists/subscriptions/",
        {"blocklist": world.blocklist.pk, "mode": "refuse"},
    )
    assert subscribed.status_code == 302
    subscription = BlocklistSubscription.objects.get(community=world.glade)
    assert subscription.mode == "refuse"
    assert "Trolls" in text_of(client.get("/c/glade/blocklists/"))
    removed = client.post(
        f"/c/glade/blocklists/subscriptions/{subscription.pk}/remove/"
    )
    assert removed.status_code == 302
    assert not BlocklistSubscription.objects.exists()


def test_community_blocklists_page_refuses_members(client, world):
    client.force_login(world.alice)

    assert client.get("/c/hearth/blocklists/").status_code == 403
    assert client.post("/c/hearth/blocklists/", {"name": "Mine"}).status_code == 403


def test_list_page_add_remove_publish(client, world):
    client.force_login(world.mod)
    path = f"/blocklists/{world.blocklist.pk}/"

    missing = client.post(path + "entries/", {"handle": "charlie", "reason": ""})
    assert missing.status_code == 400
    added = client.post(path + "entries/", {"handle": "charlie", "reason": "Spam."})
    assert added.status_code == 302
    entry = world.blocklist.entries.get(handle="charlie")
    assert client.post(path + f"entries/{entry.pk}/remove/").status_code == 302
    assert client.post(path + "publish/", {}).status_code == 302
    world.blocklist.refresh_from_db()
    assert world.blocklist.is_published is False
    assert not world.blocklist.entries.filter(handle="charlie").exists()


def test_list_page_refuses_another_cohort_changes(client, world):
    client.force_login(world.gwen)
    path = f"/blocklists/{world.blocklist.pk}/"

    assert (
        client.post(path + "entries/", {"handle": "alice", "reason": "No."}).status_code
        == 403
    )
    assert client.post(path + "publish/", {}).status_code == 403


def test_openapi_documents_the_blocklist_routes(api_client, db):
    paths = api_client.get("openapi.json").json()["paths"]

    for path in [
        "/api/v1/communities/{slug}/blocklists",
        "/api/v1/blocklists",
        "/api/v1/blocklists/{blocklist_id}/entries",
        "/api/v1/blocklists/{blocklist_id}/entries/{handle}",
        "/api/v1/blocklists/{blocklist_id}/publish",
        "/api/v1/communities/{slug}/blocklist-subscriptions",
        "/api/v1/communities/{slug}/blocklist-subscriptions/{subscription_id}",
    ]:
        assert path in paths


def test_demo_data_shows_cohorts_and_a_shared_list(db):
    call_command("load_demo", force=True, stdout=io.StringIO())
    call_command("load_demo", force=True, stdout=io.StringIO())

    city = Community.objects.get(slug="city-skies")
    assert city.memberships.cohort().count() >= 2
    hives = Community.objects.get(slug="small-hives")
    subscription = BlocklistSubscription.objects.get(community=hives)
    assert subscription.mode == "queue"
    assert subscription.blocklist.is_published
    assert subscription.blocklist.entries.count() == 1

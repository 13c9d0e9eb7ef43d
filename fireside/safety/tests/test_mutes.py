import re

import pytest

from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.posts import actions as posts
from fireside.safety.actions import block_member, mute_member
from fireside.safety.models import Mute
from tests.helpers import assert_error

HTMX = {"HX-Request": "true"}


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


@pytest.fixture
def place(alice, bob, charlie):
    """One open community where bob and charlie each wrote a findable post."""
    community = CommunityFactory(slug="skies", name="Skies", created_by=charlie)
    MembershipFactory(community=community, member=alice)
    MembershipFactory(community=community, member=bob)
    by_bob = posts.create_post(
        community, by=bob, title="Telescope tales from bob", body="Nebula notes."
    )
    by_charlie = posts.create_post(
        community, by=charlie, title="Telescope tales from charlie", body="Nebula."
    )
    return community, by_bob, by_charlie


# API ----------------------------------------------------------------------------------


def test_mute_member_answers_201_then_200_and_lists_it(alice, bob, as_alice):
    first = as_alice.post("mutes", json={"handle": "@Bob"})
    again = as_alice.post("mutes", json={"handle": "bob"})

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert set(first.json()) == {"handle", "display_name", "muted_at"}
    assert [m["handle"] for m in as_alice.get("mutes").json()] == ["bob"]
    assert Mute.objects.filter(muter=alice, muted=bob).count() == 1


def test_mute_member_refuses_oneself_and_unknown_handles(as_alice):
    own = assert_error(as_alice.post("mutes", json={"handle": "alice"}), 400, "invalid")
    unknown = assert_error(
        as_alice.post("mutes", json={"handle": "nobody_here"}), 404, "not_found"
    )
    malformed = as_alice.post("mutes", json={"handle": "bo\x00b"})

    assert "handle" in own["errors"]
    assert "handle" in unknown["errors"]
    assert "handle" in assert_error(malformed, 404, "not_found")["errors"]
    assert not Mute.objects.exists()


def test_unmute_member_answers_204_then_404(alice, bob, as_alice):
    mute_member(bob, by=alice)

    lifted = as_alice.delete("mutes/bob")
    again = as_alice.delete("mutes/bob")

    assert lifted.status_code == 204, lifted.content
    assert "handle" in assert_error(again, 404, "not_found")["errors"]


def test_mutes_are_private_to_the_muter(alice, bob, api_client):
    mute_member(bob, by=alice)
    as_bob = api_client.as_member(bob)

    assert as_bob.get("mutes").json() == []
    assert_error(as_bob.delete("mutes/alice"), 404, "not_found")
    assert_error(api_client.get("mutes"), 401, "not_authenticated")
    assert Mute.objects.filter(muter=alice, muted=bob).exists()


# What a mute hides --------------------------------------------------------------------


def _titles(items):
    return {item["title"] for item in items}


def test_mute_hides_posts_in_feed_community_list_and_search(
    alice, bob, as_alice, place
):
    community, by_bob, by_charlie = place
    before = _titles(as_alice.get("feed").json()["items"])
    assert {by_bob.title, by_charlie.title} <= before

    mute_member(bob, by=alice)

    feed = _titles(as_alice.get("feed").json()["items"])
    listed = _titles(
        as_alice.get(f"communities/{community.slug}/posts").json()["items"]
    )
    found = _titles(as_alice.get("search/posts?q=telescope").json()["items"])
    assert by_bob.title not in feed | listed | found
    assert by_charlie.title in feed & listed & found


def test_mute_hides_posts_on_pages_too(client, alice, bob, place):
    community, by_bob, by_charlie = place
    mute_member(bob, by=alice)
    client.force_login(alice)

    for path in ("/", f"/c/{community.slug}/", "/search/?q=telescope"):
        page = text_of(client.get(path))
        assert by_charlie.title in page, path
        assert by_bob.title not in page, path


def test_mute_leaves_other_members_lists_alone(api_client, alice, bob, charlie, place):
    community, by_bob, _ = place
    mute_member(bob, by=alice)

    as_charlie = api_client.as_member(charlie)
    listed = _titles(
        as_charlie.get(f"communities/{community.slug}/posts").json()["items"]
    )
    anonymous = _titles(
        api_client.get(f"communities/{community.slug}/posts").json()["items"]
    )

    assert by_bob.title in listed
    assert by_bob.title in anonymous


def test_post_page_of_a_muted_member_shows_a_placeholder_then_shows_anyway(
    client, alice, bob, place
):
    _, by_bob, _ = place
    mute_member(bob, by=alice)
    client.force_login(alice)

    hidden = text_of(client.get(f"/p/{by_bob.pk}/"))
    shown = text_of(client.get(f"/p/{by_bob.pk}/?show=anyway"))

    assert "You muted @bob" in hidden
    assert "Show anyway" in hidden
    assert "Nebula notes." not in hidden
    assert "Nebula notes." in shown


def test_post_page_of_a_blocked_member_shows_the_same_placeholder(
    client, alice, bob, place
):
    _, by_bob, _ = place
    block_member(bob, by=alice)
    client.force_login(alice)

    hidden = text_of(client.get(f"/p/{by_bob.pk}/"))

    assert "You blocked @bob" in hidden
    assert "Nebula notes." not in hidden


def test_muted_member_is_not_told(client, alice, bob, place):
    _, by_bob, _ = place
    mute_member(bob, by=alice)
    client.force_login(bob)

    own_post = text_of(client.get(f"/p/{by_bob.pk}/"))
    alice_profile = text_of(client.get("/@alice/"))

    assert "mute" not in own_post.lower()
    assert "muted" not in alice_profile.lower()

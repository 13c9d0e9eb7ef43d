"""Highlights: ranked by the bridging score, labelled in words, never a count, and only
what the reader may see."""

import re

import pytest
from django.utils import timezone

from fireside.communities.models import Community
from fireside.communities.tests.factories import CommunityFactory
from fireside.ratings import actions
from fireside.ratings.models import HelpfulNotice
from fireside.ratings.tests.factories import TwoCamps, published_dialogue
from tests.helpers import all_keys, assert_error

pytestmark = pytest.mark.django_db

LABEL = "Found helpful across perspectives"


@pytest.fixture
def camps(alice):
    camps = TwoCamps(
        CommunityFactory(slug="city-skies", name="City Skies"), bridging_author=alice
    )
    camps.rate_all()
    actions.score_community(camps.community)
    return camps


def _visible_text(html):
    """The page's words, without tags and without the exact times of <time> elements."""
    html = re.sub(r"<time[^>]*>.*?</time>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_highlights_api_ranks_the_bridging_post_first_with_its_status(
    api_client, camps
):
    response = api_client.get("communities/city-skies/highlights")

    assert response.status_code == 200
    items = response.json()["items"]
    first = items[0]
    assert (first["type"], first["id"]) == ("post", camps.bridging.pk)
    assert (first["status"], first["label"]) == ("helpful", LABEL)
    assert all(item["status"] != "not_helpful" for item in items)
    shown = {item["id"] for item in items}
    assert not shown & {post.pk for post in camps.junk}


def test_highlights_api_shows_no_counts(api_client, camps):
    body = api_client.get("communities/city-skies/highlights").json()

    keys = set(all_keys(body))
    assert not keys & {"n_ratings", "count", "ratings", "intercept", "factor", "score"}


def test_highlights_page_labels_the_bridging_post_and_shows_no_counts(client, camps):
    response = client.get("/c/city-skies/highlights/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(camps.bridging.title) < html.index(camps.mixed.title)
    assert html.count(LABEL) == 1
    # Sixteen raters rated every post: the number must not appear anywhere.
    main = html.split('<main id="main" tabindex="-1">', 1)[1].split("</main>", 1)[0]
    main = _visible_text(main)
    assert not re.search(r"\d", main)


def test_highlights_empty_state_says_what_to_do(client):
    CommunityFactory(slug="quiet-place")

    response = client.get("/c/quiet-place/highlights/")

    assert response.status_code == 200
    assert "Nothing has risen here yet" in response.content.decode()


def test_hidden_posts_never_appear_in_highlights(api_client, camps, alice):
    camps.bridging.hidden_at = timezone.now()
    camps.bridging.save()

    for viewer in (api_client, api_client.as_member(alice)):
        items = viewer.get("communities/city-skies/highlights").json()["items"]
        assert camps.bridging.pk not in {item["id"] for item in items}


@pytest.mark.parametrize("hide", ["mute", "block"])
def test_highlights_leave_out_what_the_viewer_muted_or_blocked(
    api_client, camps, alice, bob, hide
):
    from fireside.safety import actions as safety

    def shown_to_bob():
        items = api_client.as_member(bob).get("communities/city-skies/highlights")
        return {item["id"] for item in items.json()["items"]}

    assert camps.bridging.pk in shown_to_bob()

    if hide == "mute":
        safety.mute_member(alice, by=bob)
    else:
        safety.block_member(alice, by=bob)

    assert camps.bridging.pk not in shown_to_bob()
    # Nobody else's Highlights change.
    everyone = api_client.get("communities/city-skies/highlights").json()["items"]
    assert camps.bridging.pk in {item["id"] for item in everyone}


def test_withdrawn_dialogues_never_appear_in_highlights(api_client, camps):
    dialogue = published_dialogue(camps.community)
    for member in camps.raters:
        actions.rate(dialogue, by=member, value="helpful")
    actions.score_community(camps.community)
    listed = api_client.get("communities/city-skies/highlights").json()["items"]
    assert ("dialogue", dialogue.pk) in {(i["type"], i["id"]) for i in listed}
    told = HelpfulNotice.objects.filter(dialogue=dialogue).values_list(
        "member", flat=True
    )
    assert set(told) == {member.pk for member in dialogue.participants()}

    dialogue.state = dialogue.State.WITHDRAWN
    dialogue.save()

    listed = api_client.get("communities/city-skies/highlights").json()["items"]
    assert ("dialogue", dialogue.pk) not in {(i["type"], i["id"]) for i in listed}


def test_an_unlisted_communitys_highlights_are_not_found_for_strangers(
    api_client, client, camps, charlie
):
    Community.objects.filter(pk=camps.community.pk).update(is_listed=False)

    assert client.get("/c/city-skies/highlights/").status_code == 404
    assert_error(
        api_client.as_member(charlie).get("communities/city-skies/highlights"),
        404,
        "not_found",
    )
    member = camps.raters[0]
    response = api_client.as_member(member).get("communities/city-skies/highlights")
    assert response.status_code == 200


def test_a_private_communitys_highlights_are_for_members(client, api_client, camps):
    Community.objects.filter(pk=camps.community.pk).update(
        visibility=Community.Visibility.REQUEST
    )

    response = client.get("/c/city-skies/highlights/")

    assert response.status_code == 200
    assert camps.bridging.title not in response.content.decode()
    assert "for members" in response.content.decode()
    assert_error(api_client.get("communities/city-skies/highlights"), 404, "not_found")


def test_how_highlights_work_page_is_public(client):
    response = client.get("/highlights/how/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "arxiv.org/abs/2210.15723" in html
    assert "export_ratings" in html
    assert "bridging_score" in html

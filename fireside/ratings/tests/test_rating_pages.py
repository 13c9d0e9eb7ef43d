"""The rating control on post and dialogue pages, and the private helpful notice."""

import re

import pytest

from fireside.communities.tests.factories import CommunityFactory
from fireside.posts.tests.factories import PostFactory
from fireside.ratings import actions
from fireside.ratings.models import HelpfulNotice, Rating
from fireside.ratings.tests.factories import TwoCamps, published_dialogue, rater

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="City Skies")


@pytest.fixture
def post(community, bob):
    return PostFactory(community=community, author=bob, title="Seeing Algol dim")


def test_post_page_offers_the_three_choices_to_a_rater(client, community, post, alice):
    rater(community, alice)
    client.force_login(alice)

    html = client.get(f"/p/{post.pk}/").content.decode()

    assert "Was this helpful?" in html
    for value in ("helpful", "somewhat", "not_helpful"):
        assert f'name="value" value="{value}"' in html
    for tag in ("clear", "sourced", "changed_my_mind", "off_topic", "hostile"):
        assert f'name="tags" value="{tag}"' in html


def test_rating_from_the_page_shows_only_ones_own_choice(
    client, community, post, alice
):
    rater(community, alice)
    for other in [rater(community) for _ in range(3)]:
        actions.rate(post, by=other, value="helpful")
    client.force_login(alice)

    response = client.post(
        f"/rate/post/{post.pk}/",
        {"value": "somewhat", "tags": ["clear"]},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "You rated this <strong>somewhat helpful</strong> (clear)" in html
    assert 'value="somewhat" required checked' in html
    assert not re.search(r"\d", re.sub(r"<[^>]+>", "", html.replace(str(post.pk), "")))
    assert Rating.objects.get(rater=alice).value == "somewhat"


def test_withdrawing_from_the_page(client, community, post, alice):
    rater(community, alice)
    actions.rate(post, by=alice, value="helpful")
    client.force_login(alice)

    response = client.post(f"/rate/post/{post.pk}/", {"withdraw": "1"})

    assert response.status_code == 302
    assert not Rating.objects.exists()


def test_a_refused_rating_from_the_page_says_why(client, community, post, alice):
    rater(community, alice, trust_level=0)
    client.force_login(alice)

    page = client.get(f"/p/{post.pk}/").content.decode()
    response = client.post(f"/rate/post/{post.pk}/", {"value": "helpful"})

    assert "Rating opens at trust level 1" in page
    assert 'name="value"' not in page
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_the_author_sees_no_form_and_no_tally(client, community, post, bob):
    for other in [rater(community) for _ in range(3)]:
        actions.rate(post, by=other, value="helpful")
    client.force_login(bob)

    html = client.get(f"/p/{post.pk}/").content.decode()

    assert "rate your post privately" in html
    assert 'name="value"' not in html


def test_dialogue_page_offers_rating(client, community, alice):
    rater(community, alice)
    dialogue = published_dialogue(community)
    client.force_login(alice)

    html = client.get(f"/d/{dialogue.pk}/").content.decode()

    assert f'action="/rate/dialogue/{dialogue.pk}/"' in html


def test_the_author_is_told_in_words_on_their_home_page(client, alice):
    community = CommunityFactory(name="City Skies")
    camps = TwoCamps(community, bridging_author=alice)
    camps.rate_all()
    actions.score_community(community)
    client.force_login(alice)

    html = client.get("/").content.decode()

    section = html.split('class="helpful-notices"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"<[^>]+>", "", section)
    assert "Your post “What you can still see from a city balcony”" in " ".join(
        text.split()
    )
    assert "was found helpful by people who usually see things differently" in text
    assert not re.search(r"\d", text)

    client.post("/highlights/notices/read/")
    assert HelpfulNotice.objects.unread().count() == 0
    assert "helpful-notices" not in client.get("/").content.decode()

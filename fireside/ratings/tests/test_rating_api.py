"""Rating posts and dialogues through the API: who may, what is checked, and that a
rating is changed rather than repeated."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.communities.models import Community
from fireside.communities.tests.factories import CommunityFactory
from fireside.moderation.models import ModAction
from fireside.posts.tests.factories import PostFactory
from fireside.ratings.models import Rating
from fireside.ratings.tests.factories import published_dialogue, rater
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="City Skies")


@pytest.fixture
def post(community, bob):
    return PostFactory(community=community, author=bob)


def _rate(api_client, member, post, value="helpful", **extra):
    body = {"target": {"type": "post", "id": post.pk}, "value": value, **extra}
    return api_client.as_member(member).request("put", "ratings", json=body)


def test_put_rating_records_the_members_choice(api_client, community, post, alice):
    rater(community, alice)

    response = _rate(api_client, alice, post, tags=["clear", "sourced"])

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["value"] == "helpful"
    assert body["tags"] == ["clear", "sourced"]
    assert body["target"] == {"type": "post", "id": post.pk}
    rating = Rating.objects.get(rater=alice)
    assert (rating.post, rating.community) == (post, community)


def test_put_rating_again_changes_it_instead_of_adding_one(
    api_client, community, post, alice
):
    rater(community, alice)
    _rate(api_client, alice, post)

    response = _rate(api_client, alice, post, value="not_helpful", tags=["off_topic"])

    assert response.status_code == 200
    rating = Rating.objects.get(rater=alice)
    assert (rating.value, rating.tags) == ("not_helpful", ["off_topic"])


def test_put_rating_refused_at_trust_level_zero(api_client, community, post, alice):
    rater(community, alice, trust_level=0)

    response = _rate(api_client, alice, post)

    body = assert_error(response, 403, "trust_level_too_low")
    assert "trust level 1" in body["detail"]
    assert not Rating.objects.exists()


def test_put_rating_refused_for_the_author(api_client, community, post, bob):
    rater(community, bob)

    response = _rate(api_client, bob, post)

    assert_error(response, 403, "own_item")


def test_put_rating_refused_for_a_non_member(api_client, post, charlie):
    charlie.trust_level = 1
    charlie.save()

    response = _rate(api_client, charlie, post)

    body = assert_error(response, 403, "not_a_member")
    assert "Join City Skies" in body["detail"]


def test_put_rating_refused_on_the_day_one_joins(api_client, community, post, alice):
    rater(community, alice, days_in=0)

    response = _rate(api_client, alice, post)

    assert_error(response, 403, "too_new_here")


def test_put_rating_refused_while_suspended(api_client, community, post, alice):
    rater(community, alice)
    ModAction.objects.create(
        community=community,
        kind=ModAction.Kind.SUSPEND,
        subject=alice,
        rule_number=1,
        reason="Demo suspension.",
        days=3,
        state=ModAction.State.IN_FORCE,
        in_force_at=timezone.now(),
        ends_at=timezone.now() + timedelta(days=3),
    )

    response = _rate(api_client, alice, post)

    assert_error(response, 403, "suspended")


def test_put_rating_of_a_post_in_a_private_community_is_not_found_for_strangers(
    api_client, community, post, charlie
):
    Community.objects.filter(pk=community.pk).update(
        visibility=Community.Visibility.INVITE
    )

    response = _rate(api_client, charlie, post)

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("value", "tags", "field"),
    [
        ("helpful", ["wonderful"], "tags"),
        ("helpful", ["hostile"], "tags"),
        ("not_helpful", ["changed_my_mind"], "tags"),
        ("brilliant", [], "value"),
    ],
)
def test_put_rating_validates_value_and_tags(
    api_client, community, post, alice, value, tags, field
):
    rater(community, alice)

    response = _rate(api_client, alice, post, value=value, tags=tags)

    body = assert_error(response, 400, "invalid")
    assert field in body["errors"]
    assert not Rating.objects.exists()


def test_somewhat_may_carry_reasons_of_both_kinds(api_client, community, post, alice):
    rater(community, alice)

    response = _rate(
        api_client, alice, post, value="somewhat", tags=["clear", "hostile"]
    )

    assert response.status_code == 200
    assert response.json()["tags"] == ["clear", "hostile"]


def test_put_rating_of_a_dialogue(api_client, community, alice):
    rater(community, alice)
    dialogue = published_dialogue(community)
    body = {"target": {"type": "dialogue", "id": dialogue.pk}, "value": "somewhat"}

    response = api_client.as_member(alice).request("put", "ratings", json=body)

    assert response.status_code == 200, response.content
    assert Rating.objects.get(rater=alice).dialogue == dialogue


def test_put_rating_refused_for_a_participant_of_the_dialogue(
    api_client, community, alice
):
    rater(community, alice)
    dialogue = published_dialogue(community, initiator=alice)
    body = {"target": {"type": "dialogue", "id": dialogue.pk}, "value": "helpful"}

    response = api_client.as_member(alice).request("put", "ratings", json=body)

    assert_error(response, 403, "own_item")


def test_put_rating_of_a_withdrawn_dialogue_is_not_found(api_client, community, alice):
    rater(community, alice)
    dialogue = published_dialogue(community)
    dialogue.state = dialogue.State.WITHDRAWN
    dialogue.save()
    body = {"target": {"type": "dialogue", "id": dialogue.pk}, "value": "helpful"}

    response = api_client.as_member(alice).request("put", "ratings", json=body)

    assert_error(response, 404, "not_found")


def test_get_and_delete_own_rating(api_client, community, post, alice):
    rater(community, alice)
    _rate(api_client, alice, post, value="somewhat")
    client = api_client.as_member(alice)

    assert client.get(f"ratings/post/{post.pk}").json()["value"] == "somewhat"
    assert client.delete(f"ratings/post/{post.pk}").status_code == 204
    assert_error(client.get(f"ratings/post/{post.pk}"), 404, "not_found")
    assert not Rating.objects.exists()


def test_put_rating_needs_a_login(api_client, post):
    body = {"target": {"type": "post", "id": post.pk}, "value": "helpful"}

    response = api_client.request("put", "ratings", json=body)

    assert_error(response, 401, "not_authenticated")

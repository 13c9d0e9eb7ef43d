from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.communities.models import Topic
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.feed.models import FeedVisit
from fireside.posts.tests.factories import PostFactory
from tests.helpers import assert_error


def read_whole_feed(api):
    """Every page of the feed, following `next`: a list of pages of post ids."""
    pages, cursor = [], None
    while True:
        response = api.get("feed" + (f"?cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.content
        pages.append([item["id"] for item in response.json()["items"]])
        cursor = response.json()["next"]
        if cursor is None:
            return pages


@pytest.fixture
def two_communities(alice, bob):
    """Bob belongs to two communities alice leads; 45 posts share them, some posted at
    the same moment, and a third community bob never joined has posts too."""
    start = timezone.now() - timedelta(days=2)
    night_sky = CommunityFactory(slug="night-sky", created_by=alice)
    sourdough = CommunityFactory(slug="sourdough", created_by=alice)
    elsewhere = CommunityFactory(slug="elsewhere", created_by=alice)
    for community in (night_sky, sourdough):
        MembershipFactory(community=community, member=bob)
    for number in range(45):
        PostFactory(
            community=night_sky if number % 3 else sourdough,
            author=alice,
            created_at=start + timedelta(minutes=number // 2),
        )
    PostFactory(community=elsewhere, author=alice)
    return night_sky, sourdough


def test_feed_shows_a_new_members_post_first(api_client, alice, bob):
    lead = api_client.as_member(alice)
    created = lead.post(
        "communities",
        json={
            "slug": "night-sky",
            "name": "Night Sky",
            "description": "Amateur astronomers compare telescopes.",
            "topics": ["astronomy"],
            "visibility": "open",
        },
    )
    assert created.status_code == 201, created.content
    earlier = lead.post(
        "communities/night-sky/posts", json={"title": "Welcome", "body": "Say hi."}
    )
    newcomer = api_client.as_member(bob)

    joined = newcomer.post("communities/night-sky/join")
    posted = newcomer.post(
        "communities/night-sky/posts",
        json={"title": "First light", "body": "Saturn's rings tonight."},
    )
    feed = newcomer.get("feed")

    assert joined.status_code == 200, joined.content
    assert posted.status_code == 201, posted.content
    assert feed.status_code == 200, feed.content
    items = feed.json()["items"]
    assert [item["id"] for item in items] == [posted.json()["id"], earlier.json()["id"]]
    first = items[0]
    assert first["type"] == "post"
    assert first["title"] == "First light"
    assert first["community"] == {"slug": "night-sky", "name": "Night Sky"}
    assert first["author"] == {"handle": "bob", "display_name": "Bob Brandt"}
    assert first["excerpt"] == "Saturn's rings tonight."
    assert feed.json()["next"] is None


def test_feed_refuses_anonymous_visitors(api_client, db):
    assert_error(api_client.get("feed"), 401, "not_authenticated")


def test_feed_refuses_a_token_that_is_not_valid(api_client, db):
    response = api_client.get("feed", headers={"Authorization": "Bearer fs_nope"})

    assert_error(response, 401, "not_authenticated")


def test_feed_reads_45_posts_in_three_pages_without_gaps_or_repeats(
    api_client, two_communities, bob
):
    night_sky, sourdough = two_communities

    pages = read_whole_feed(api_client.as_member(bob))

    assert [len(page) for page in pages] == [20, 20, 5]
    seen = [post_id for page in pages for post_id in page]
    expected = sorted(
        (post for community in two_communities for post in community.posts.all()),
        key=lambda post: (post.created_at, post.pk),
        reverse=True,
    )
    assert seen == [post.pk for post in expected]


def test_feed_drops_posts_of_a_community_the_member_left(
    api_client, two_communities, bob
):
    night_sky, sourdough = two_communities
    api = api_client.as_member(bob)

    left = api.post("communities/night-sky/leave")
    pages = read_whole_feed(api)

    assert left.status_code == 200, left.content
    seen = sorted(post_id for page in pages for post_id in page)
    assert seen == sorted(sourdough.posts.values_list("pk", flat=True))
    assert len(seen) == 15


def test_feed_leaves_out_communities_one_only_asked_to_join(api_client, alice, bob):
    quiet_room = CommunityFactory(
        slug="quiet-room", created_by=alice, visibility="request"
    )
    MembershipFactory(community=quiet_room, member=bob, state="requested")
    PostFactory(community=quiet_room, author=alice)

    assert read_whole_feed(api_client.as_member(bob)) == [[]]


def test_feed_leaves_out_deleted_posts(api_client, two_communities, bob):
    night_sky, _ = two_communities
    deleted = night_sky.posts.order_by("-created_at", "-id").first()
    deleted.deleted_at = timezone.now()
    deleted.save()

    pages = read_whole_feed(api_client.as_member(bob))

    assert deleted.pk not in [post_id for page in pages for post_id in page]


def test_feed_marks_the_previous_visit_on_the_first_page(
    api_client, two_communities, bob
):
    api = api_client.as_member(bob)
    first_visit = api.get("feed")
    earlier = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    FeedVisit.objects.filter(member=bob).update(seen_at=earlier)

    next_visit = api.get("feed")
    further_back = api.get(f"feed?cursor={next_visit.json()['next']}")

    assert first_visit.json()["since"] is None
    assert next_visit.json()["since"] == earlier.isoformat().replace("+00:00", "Z")
    assert further_back.json()["since"] is None
    assert FeedVisit.objects.get(member=bob).previous_seen_at == earlier


@pytest.mark.parametrize(
    "cursor", ["garbage", "WyIyMDI2LTAxLTAxIiwxXQ:1tAmPr:not-the-signature"]
)
def test_feed_refuses_a_tampered_cursor(api_client, bob, cursor):
    response = api_client.as_member(bob).get(f"feed?cursor={cursor}")

    body = assert_error(response, 400, "invalid_cursor")
    assert "cursor" in body["errors"]


def test_feed_reads_a_page_with_a_constant_number_of_queries(
    api_client, alice, bob, charlie, django_assert_num_queries
):
    api = api_client.as_member(bob)
    api.get("feed")  # notes the token's first use and the first visit
    topic = Topic.objects.create(name="astronomy")
    communities = [CommunityFactory(created_by=alice) for _ in range(3)]
    for community in communities:
        MembershipFactory(community=community, member=bob)
    for post in PostFactory.create_batch(2, community=communities[0], author=alice):
        post.topics.add(topic)

    # Token, memberships, the merged ids, posts, topics, dialogues of connections,
    # feed visit read and write.
    with django_assert_num_queries(8):
        few = api.get("feed")
    for number in range(30):
        post = PostFactory(
            community=communities[number % 3], author=(alice, charlie)[number % 2]
        )
        post.topics.add(topic)
    with django_assert_num_queries(8):
        many = api.get("feed")

    assert len(few.json()["items"]) == 2
    assert len(many.json()["items"]) == 20
    assert {item["author"]["handle"] for item in many.json()["items"]} == {
        "alice",
        "charlie",
    }
    assert len({item["community"]["slug"] for item in many.json()["items"]}) == 3
    assert all(item["topics"] == ["astronomy"] for item in many.json()["items"])

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.communities.models import Community, Topic
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.feed.actions import VISIT_GAP
from fireside.feed.models import FeedVisit
from fireside.posts.tests.factories import PostFactory

HTMX = {"HX-Request": "true"}
COUNT = re.compile(r"\d+\s*(member|follower|like|view|repl)", re.IGNORECASE)
MARKER = "Since your last visit"


def post_ids(response):
    """The posts a page lists, top to bottom."""
    return [int(i) for i in re.findall(r'id="post-(\d+)-title"', response.text)]


def next_link(response):
    match = re.search(r'href="(/\?cursor=[^"]+)"', response.text)
    return match.group(1) if match else None


@pytest.fixture
def night_sky(alice):
    community = CommunityFactory(slug="night-sky", name="Night Sky")
    MembershipFactory(community=community, member=alice)
    return community


def posts_in(community, count, *, start=None, step=timedelta(minutes=1)):
    """COUNT posts in COMMUNITY, the first newest, each STEP older than the one before."""
    start = start or timezone.now()
    return [
        PostFactory(community=community, created_at=start - step * n)
        for n in range(count)
    ]


def test_home_feed_shows_only_posts_of_joined_communities_newest_first(
    client, alice, night_sky
):
    elsewhere = CommunityFactory()
    now = timezone.now()
    older = PostFactory(community=night_sky, created_at=now - timedelta(hours=2))
    PostFactory(community=elsewhere, created_at=now - timedelta(hours=1))
    newer = PostFactory(community=night_sky, created_at=now - timedelta(minutes=5))
    client.force_login(alice)

    response = client.get("/")

    assert response.status_code == 200
    assert post_ids(response) == [newer.pk, older.pk]


def test_home_feed_leaves_out_deleted_posts_and_communities_one_left(
    client, alice, night_sky
):
    kept = PostFactory(community=night_sky)
    PostFactory(community=night_sky, deleted_at=timezone.now(), title="")
    requested = CommunityFactory(visibility=Community.Visibility.REQUEST)
    MembershipFactory(community=requested, member=alice, state="requested")
    PostFactory(community=requested)
    client.force_login(alice)

    assert post_ids(client.get("/")) == [kept.pk]


def test_home_feed_load_more_pages_without_duplicates_or_gaps(client, alice, night_sky):
    now = timezone.now()
    # Three posts share each moment, so the cursor must break ties by id.
    posts = [
        PostFactory(community=night_sky, created_at=now - timedelta(minutes=n // 3))
        for n in range(45)
    ]
    expected = [
        post.pk
        for post in sorted(posts, key=lambda p: (p.created_at, p.pk), reverse=True)
    ]
    client.force_login(alice)

    seen, path, pages = [], "/", 0
    while path:
        response = client.get(path)
        assert response.status_code == 200
        seen += post_ids(response)
        path, pages = next_link(response), pages + 1

    assert pages == 3
    assert seen == expected


def test_home_feed_load_more_over_htmx_returns_a_fragment(client, alice, night_sky):
    posts = posts_in(night_sky, 25)
    client.force_login(alice)
    more = next_link(client.get("/"))

    response = client.get(more, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<h1" not in response.text
    assert "HX-Request" in response["Vary"]  # so a browser never shows it as the page
    assert post_ids(response) == [post.pk for post in posts[20:]]
    assert 'id="feed-more"' in response.text
    assert "That is everything" in response.text


def test_home_feed_load_more_link_targets_its_own_list_item(client, alice, night_sky):
    posts_in(night_sky, 21)
    client.force_login(alice)

    page = client.get("/").text

    button = re.search(r"<a [^>]*id=\"feed-more\"[^>]*>", page).group(0)
    assert 'hx-get="/?cursor=' in button
    assert 'hx-target="closest li"' in button
    assert 'hx-swap="outerHTML"' in button
    assert '<ol class="feed" aria-live="polite">' in page


def test_home_feed_draws_the_since_your_last_visit_line_between_new_and_old(
    client, alice, night_sky
):
    now = timezone.now()
    FeedVisit.objects.create(member=alice, seen_at=now - timedelta(hours=3))
    old = PostFactory(community=night_sky, created_at=now - timedelta(hours=4))
    new = PostFactory(community=night_sky, created_at=now - timedelta(hours=1))
    client.force_login(alice)

    page = client.get("/").text

    assert page.index(f'id="post-{new.pk}-title"') < page.index(MARKER)
    assert page.index(MARKER) < page.index(f'id="post-{old.pk}-title"')


def test_home_feed_moves_the_line_after_a_later_visit(client, alice, night_sky):
    now = timezone.now()
    first_seen = PostFactory(community=night_sky, created_at=now - timedelta(hours=5))
    client.force_login(alice)
    assert MARKER not in client.get("/").text  # a first visit has nothing to compare
    FeedVisit.objects.filter(member=alice).update(seen_at=now - VISIT_GAP * 4)
    new = PostFactory(community=night_sky, created_at=now - VISIT_GAP)

    page = client.get("/").text

    assert page.index(f'id="post-{new.pk}-title"') < page.index(MARKER)
    assert page.index(MARKER) < page.index(f'id="post-{first_seen.pk}-title"')


def test_home_feed_draws_no_line_when_nothing_is_new(client, alice, night_sky):
    now = timezone.now()
    FeedVisit.objects.create(member=alice, seen_at=now - timedelta(hours=1))
    posts_in(night_sky, 3, start=now - timedelta(hours=2))
    client.force_login(alice)

    assert MARKER not in client.get("/").text


def test_home_feed_draws_the_line_on_the_first_page_only(client, alice, night_sky):
    now = timezone.now()
    FeedVisit.objects.create(member=alice, seen_at=now - timedelta(minutes=90))
    posts_in(
        night_sky, 45, start=now - timedelta(minutes=80), step=timedelta(minutes=1)
    )
    client.force_login(alice)
    first = client.get("/")

    second = client.get(next_link(first))

    assert MARKER in first.text
    assert MARKER not in second.text
    assert MARKER not in client.get(next_link(second)).text


def test_home_feed_refuses_a_tampered_cursor_with_the_reason(client, alice, night_sky):
    posts_in(night_sky, 21)
    client.force_login(alice)
    more = next_link(client.get("/"))

    response = client.get(more[:-3] + "xyz")

    assert response.status_code == 400
    assert "This page link is damaged" in response.text


def test_home_feed_refuses_a_tampered_cursor_over_htmx_in_the_alert_region(
    client, alice
):
    client.force_login(alice)

    response = client.get("/?cursor=not-a-cursor", headers=HTMX)

    assert response.status_code == 400
    assert response["HX-Retarget"] == "#alerts"
    assert "This page link is damaged" in response.text


def test_home_feed_tells_a_member_without_communities_where_to_find_one(client, alice):
    client.force_login(alice)

    response = client.get("/")

    assert response.status_code == 200
    assert "Your home is empty" in response.text
    assert 'href="/communities/"' in response.text
    assert "<h1>Home</h1>" in response.text


def test_home_feed_tells_a_member_whose_communities_are_quiet_what_to_do(
    client, alice, night_sky
):
    client.force_login(alice)

    response = client.get("/")

    assert "Nothing new in your communities yet" in response.text
    assert "Your home is empty" not in response.text


def test_home_shows_an_anonymous_visitor_the_landing_page(client, night_sky):
    PostFactory(community=night_sky)

    response = client.get("/")

    assert response.status_code == 200
    assert "Talk one-to-one about what matters to you." in response.text
    assert post_ids(response) == []


def test_home_feed_shows_no_counts(client, alice, night_sky):
    FeedVisit.objects.create(member=alice, seen_at=timezone.now() - timedelta(hours=1))
    posts_in(night_sky, 25, start=timezone.now(), step=timedelta(minutes=7))
    client.force_login(alice)

    assert not COUNT.search(client.get("/").text)


@pytest.mark.parametrize("count", [5, 20])
def test_home_feed_query_count_stays_the_same_however_many_posts(
    client, alice, night_sky, django_assert_num_queries, count
):
    other = CommunityFactory()
    MembershipFactory(community=other, member=alice)
    topics = [Topic.objects.create(name=name) for name in ("stars", "optics")]
    for n, post in enumerate(posts_in(night_sky, count) + posts_in(other, count)):
        post.topics.set(topics[: n % 3])
    FeedVisit.objects.create(member=alice, seen_at=timezone.now() - timedelta(days=1))
    client.force_login(alice)
    client.get("/about/")  # the first request after log-in saves the session once

    # Session, member, posts (memberships, the merged ids, the rows), their topics,
    # dialogues of connections, feed visit read and write, helpful notices (ratings)
    # and the audit reminder (connections).
    with django_assert_num_queries(11):
        response = client.get("/")

    assert len(post_ids(response)) == min(2 * count, 20)

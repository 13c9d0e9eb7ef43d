from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.communities.models import Community, Topic
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.posts import actions
from fireside.posts.models import Post
from fireside.posts.tests.factories import PostFactory
from tests.helpers import assert_error


@pytest.fixture
def night_sky(alice, bob):
    """An open community alice leads and bob belongs to."""
    community = CommunityFactory(slug="night-sky", name="Night Sky", created_by=alice)
    MembershipFactory(community=community, member=bob)
    return community


@pytest.fixture
def inner_circle(alice):
    """An invite-only community alice leads, with one post of hers."""
    community = CommunityFactory(
        slug="inner-circle", created_by=alice, visibility=Community.Visibility.INVITE
    )
    PostFactory(community=community, author=alice, title="Just us")
    return community


def make_posts(community, author, count, *, start=None):
    start = start or timezone.now() - timedelta(days=1)
    return [
        PostFactory(
            community=community,
            author=author,
            title=f"{community.slug} {number:02d}",
            # Pairs share a moment: paging must neither lose nor repeat either one.
            created_at=start + timedelta(minutes=number // 2),
        )
        for number in range(count)
    ]


# Opening a post -------------------------------------------------------------------


def test_create_post_answers_201_with_the_rendered_post(api_client, night_sky, bob):
    response = api_client.as_member(bob).post(
        "communities/night-sky/posts",
        json={
            "title": " First light ",
            "body": "My *new* scope <script>alert(1)</script>",
            "topics": ["Telescopes"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    post = Post.objects.get()
    assert body["id"] == post.pk
    assert body["title"] == "First light"
    assert body["community"] == {"slug": "night-sky", "name": "Night Sky"}
    assert body["author"] == {"handle": "bob", "display_name": "Bob Brandt"}
    assert body["topics"] == ["telescopes"]
    assert "<em>new</em>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    assert body["can_edit"] is True
    assert body["dialogues"] == []
    assert body["edited_at"] is None


def test_create_post_refuses_an_empty_title(api_client, night_sky, bob):
    response = api_client.as_member(bob).post(
        "communities/night-sky/posts", json={"title": "   ", "body": "Words."}
    )

    body = assert_error(response, 400, "invalid")
    assert body["errors"]["title"] == ["Give the post a title."]
    assert not Post.objects.exists()


def test_create_post_refuses_an_over_long_body(api_client, night_sky, bob):
    response = api_client.as_member(bob).post(
        "communities/night-sky/posts", json={"title": "Long", "body": "x" * 20001}
    )

    body = assert_error(response, 400, "invalid")
    assert "at most 20000 characters" in body["errors"]["body"][0]
    assert not Post.objects.exists()


def test_create_post_refuses_a_missing_field(api_client, night_sky, bob):
    response = api_client.as_member(bob).post(
        "communities/night-sky/posts", json={"title": "No body"}
    )

    body = assert_error(response, 400, "invalid")
    assert body["errors"] == {"body": ["This field is required."]}


def test_create_post_refuses_a_member_of_another_community(
    api_client, night_sky, charlie
):
    response = api_client.as_member(charlie).post(
        "communities/night-sky/posts", json={"title": "Hi", "body": "Let me in."}
    )

    body = assert_error(response, 403, "not_a_member")
    assert "Join Night Sky" in body["detail"]
    assert not Post.objects.exists()


def test_create_post_answers_404_for_an_unlisted_community(api_client, alice, charlie):
    CommunityFactory(slug="backroom", created_by=alice, is_listed=False)

    response = api_client.as_member(charlie).post(
        "communities/backroom/posts", json={"title": "Hi", "body": "Hello."}
    )

    assert_error(response, 404, "not_found")


# A community's posts --------------------------------------------------------------


def test_community_posts_read_newest_first_page_by_page(api_client, night_sky, bob):
    posts = make_posts(night_sky, bob, 25)
    expected = [
        post.pk
        for post in sorted(posts, key=lambda p: (p.created_at, p.pk), reverse=True)
    ]

    first = api_client.get("communities/night-sky/posts")
    second = api_client.get(
        f"communities/night-sky/posts?cursor={first.json()['next']}"
    )

    assert first.status_code == 200, first.content
    assert second.status_code == 200, second.content
    assert len(first.json()["items"]) == 20
    assert second.json()["next"] is None
    ids = [item["id"] for item in first.json()["items"] + second.json()["items"]]
    assert ids == expected
    item = first.json()["items"][0]
    assert item["community"] == {"slug": "night-sky", "name": "Night Sky"}
    assert item["author"] == {"handle": "bob", "display_name": "Bob Brandt"}


def test_community_posts_leave_out_deleted_posts(api_client, night_sky, bob):
    kept, deleted = make_posts(night_sky, bob, 2)
    Post.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    response = api_client.get("communities/night-sky/posts")

    assert [item["id"] for item in response.json()["items"]] == [kept.pk]


@pytest.mark.parametrize(
    "cursor", ["garbage", "WyJwb3N0cyIsMV0:1tAmPr:not-the-signature"]
)
def test_community_posts_refuse_a_tampered_cursor(api_client, night_sky, cursor):
    response = api_client.get(f"communities/night-sky/posts?cursor={cursor}")

    body = assert_error(response, 400, "invalid_cursor")
    assert "cursor" in body["errors"]


@pytest.mark.parametrize("visibility", ["request", "invite"])
def test_community_posts_of_a_private_community_are_for_members_only(
    api_client, alice, bob, charlie, visibility
):
    community = CommunityFactory(
        slug="quiet-room", created_by=alice, visibility=visibility
    )
    MembershipFactory(community=community, member=bob)
    post = PostFactory(community=community, author=alice)

    assert_error(api_client.get("communities/quiet-room/posts"), 404, "not_found")
    stranger = api_client.as_member(charlie)
    assert_error(stranger.get("communities/quiet-room/posts"), 404, "not_found")
    # Its name and description stay public.
    assert stranger.get("communities/quiet-room").status_code == 200
    response = api_client.as_member(bob).get("communities/quiet-room/posts")
    assert [item["id"] for item in response.json()["items"]] == [post.pk]


def test_community_posts_read_with_a_constant_number_of_queries(
    api_client, night_sky, alice, bob, django_assert_num_queries
):
    api = api_client.as_member(bob)
    api.get("communities/night-sky/posts")  # notes the token's first use
    astronomy = Topic.objects.create(name="astronomy")
    for post in make_posts(night_sky, bob, 2):
        post.topics.add(astronomy)

    with django_assert_num_queries(5):
        few = api.get("communities/night-sky/posts")
    for post in make_posts(night_sky, alice, 12) + make_posts(night_sky, bob, 12):
        post.topics.add(astronomy)
    with django_assert_num_queries(5):
        many = api.get("communities/night-sky/posts")

    assert len(few.json()["items"]) == 2
    assert len(many.json()["items"]) == 20
    assert {item["author"]["handle"] for item in many.json()["items"]} == {
        "alice",
        "bob",
    }
    assert all(item["topics"] == ["astronomy"] for item in many.json()["items"])


# One post -------------------------------------------------------------------------


def test_post_detail_answers_404_to_a_non_member_of_an_invite_only_community(
    api_client, inner_circle, alice, charlie
):
    post = Post.objects.get(community=inner_circle)

    assert_error(api_client.get(f"posts/{post.pk}"), 404, "not_found")
    assert_error(
        api_client.as_member(charlie).get(f"posts/{post.pk}"), 404, "not_found"
    )
    response = api_client.as_member(alice).get(f"posts/{post.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Just us"


def test_post_detail_lets_only_the_author_edit(api_client, night_sky, alice, bob):
    post = PostFactory(community=night_sky, author=bob, body="Hello **there**.")

    as_bob = api_client.as_member(bob).get(f"posts/{post.pk}").json()
    as_alice = api_client.as_member(alice).get(f"posts/{post.pk}").json()
    anonymous = api_client.get(f"posts/{post.pk}").json()

    assert as_bob["can_edit"] is True
    assert as_bob["can_delete"] is True
    assert as_alice["can_edit"] is False
    assert anonymous["can_edit"] is False
    assert anonymous["body_html"] == "<p>Hello <strong>there</strong>.</p>\n"
    assert anonymous["dialogues"] == []


def test_post_detail_answers_404_for_a_missing_post(api_client, db):
    assert_error(api_client.get("posts/999999"), 404, "not_found")


def test_edit_post_keeps_the_earlier_words_as_a_revision(api_client, night_sky, bob):
    post = PostFactory(community=night_sky, author=bob, title="Old", body="Old words.")

    response = api_client.as_member(bob).patch(
        f"posts/{post.pk}", json={"body": "New words."}
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Old"
    assert response.json()["body"] == "New words."
    assert response.json()["edited_at"] is not None
    revisions = api_client.get(f"posts/{post.pk}/revisions").json()
    assert [(r["title"], r["body"]) for r in revisions] == [("Old", "Old words.")]
    assert revisions[0]["body_html"] == "<p>Old words.</p>\n"


def test_edit_post_refuses_after_the_edit_window(api_client, night_sky, bob):
    post = PostFactory(
        community=night_sky,
        author=bob,
        title="Old",
        created_at=timezone.now() - timedelta(hours=25),
    )

    response = api_client.as_member(bob).patch(
        f"posts/{post.pk}", json={"title": "New"}
    )

    body = assert_error(response, 403, "edit_window_closed")
    assert "24 hours" in body["detail"]
    post.refresh_from_db()
    assert post.title == "Old"


def test_edit_post_refuses_another_member(api_client, night_sky, alice, bob):
    post = PostFactory(community=night_sky, author=bob, title="Bob's")

    response = api_client.as_member(alice).patch(
        f"posts/{post.pk}", json={"title": "Alice's"}
    )

    assert_error(response, 403, "not_author")
    post.refresh_from_db()
    assert post.title == "Bob's"


def test_edit_post_refuses_an_empty_title(api_client, night_sky, bob):
    post = PostFactory(community=night_sky, author=bob)

    response = api_client.as_member(bob).patch(f"posts/{post.pk}", json={"title": ""})

    body = assert_error(response, 400, "invalid")
    assert "title" in body["errors"]


def test_delete_post_wipes_its_words(api_client, night_sky, bob):
    post = PostFactory(community=night_sky, author=bob, body="Regrets.")
    api = api_client.as_member(bob)

    response = api.delete(f"posts/{post.pk}")

    assert response.status_code == 204, response.content
    assert_error(api.get(f"posts/{post.pk}"), 404, "not_found")
    assert_error(api.delete(f"posts/{post.pk}"), 404, "not_found")
    post.refresh_from_db()
    assert post.is_deleted
    assert post.body == ""


def test_delete_post_refuses_another_member(api_client, night_sky, alice, bob):
    post = PostFactory(community=night_sky, author=bob)

    response = api_client.as_member(alice).delete(f"posts/{post.pk}")

    assert_error(response, 403, "not_author")
    post.refresh_from_db()
    assert not post.is_deleted


def test_delete_post_works_after_its_author_left_a_private_community(
    api_client, inner_circle, bob
):
    post = PostFactory(community=inner_circle, author=bob)
    api = api_client.as_member(bob)
    assert_error(api.get(f"posts/{post.pk}"), 404, "not_found")

    response = api.delete(f"posts/{post.pk}")

    assert response.status_code == 204, response.content


def test_post_revisions_are_hidden_like_the_post(api_client, inner_circle, charlie):
    post = Post.objects.get(community=inner_circle)

    response = api_client.as_member(charlie).get(f"posts/{post.pk}/revisions")

    assert_error(response, 404, "not_found")


# Search ---------------------------------------------------------------------------


@pytest.fixture
def searchable(db, alice, bob):
    """Posts about comets in an open, an unlisted and a request community, all led by
    alice; bob belongs to none of them."""
    found = {}
    for slug, visibility, is_listed in [
        ("open-sky", "open", True),
        ("hidden-sky", "open", False),
        ("quiet-sky", "request", True),
    ]:
        community = CommunityFactory(
            slug=slug, created_by=alice, visibility=visibility, is_listed=is_listed
        )
        found[slug] = actions.create_post(
            community, by=alice, title=f"Comets seen from {slug}", body="A bright tail."
        ).pk
    actions.create_post(
        Community.objects.get(slug="open-sky"),
        by=alice,
        title="Moon",
        body="Craters only.",
    )
    return found


def search_ids(response):
    assert response.status_code == 200, response.content
    assert response.json()["next"] is None
    return sorted(item["id"] for item in response.json()["items"])


def test_search_posts_finds_posts_of_listed_communities_the_viewer_may_read(
    api_client, searchable, alice, bob
):
    assert search_ids(api_client.get("search/posts?q=comets")) == [
        searchable["open-sky"]
    ]
    assert search_ids(api_client.as_member(bob).get("search/posts?q=comets")) == [
        searchable["open-sky"]
    ]
    assert search_ids(
        api_client.as_member(alice).get("search/posts?q=comets")
    ) == sorted([searchable["open-sky"], searchable["quiet-sky"]])


def test_search_posts_within_one_community(api_client, searchable, alice):
    api = api_client.as_member(alice)

    assert search_ids(api.get("search/posts?q=comets&community=hidden-sky")) == [
        searchable["hidden-sky"]
    ]
    assert search_ids(api.get("search/posts?q=craters&community=open-sky")) != []
    assert search_ids(api.get("search/posts?q=craters&community=quiet-sky")) == []


def test_search_posts_answers_404_for_a_private_community_to_strangers(
    api_client, searchable, bob
):
    response = api_client.as_member(bob).get(
        "search/posts?q=comets&community=quiet-sky"
    )

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20"])
def test_search_posts_refuses_an_empty_query(api_client, db, query):
    body = assert_error(api_client.get(f"search/posts?{query}"), 400, "invalid")

    assert "q" in body["errors"]


@pytest.mark.parametrize(
    ("post_id", "status", "code"),
    [
        ("99999999999999999999999", 404, "not_found"),
        ("-1", 404, "not_found"),
        ("abc", 400, "invalid"),
    ],
)
def test_post_detail_answers_a_clear_4xx_for_an_impossible_id(
    api_client, db, post_id, status, code
):
    assert_error(api_client.get(f"posts/{post_id}"), status, code)

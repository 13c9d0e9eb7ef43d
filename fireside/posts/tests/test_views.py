import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Community
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.posts import actions
from fireside.posts.models import Post, PostRevision
from fireside.posts.tests.factories import PostFactory
from tests.helpers import field_error

HTMX = {"HX-Request": "true"}
COUNT = re.compile(r"\d+\s*(member|follower|like|view|repl)", re.IGNORECASE)


def section(response, section_id):
    match = re.search(rf'<section id="{section_id}".*?</section>', response.text, re.S)
    assert match, f"no section #{section_id}"
    return match.group(0)


def post_ids(response):
    return [int(i) for i in re.findall(r'id="post-(\d+)-title"', response.text)]


# Shared setup: alice leads "Night Sky" (open) and wrote a post there; bob is a member;
# charlie belongs nowhere.


@pytest.fixture
def night_sky(alice, bob):
    community = CommunityFactory(slug="night-sky", name="Night Sky", created_by=alice)
    MembershipFactory(community=community, member=bob)
    return community


@pytest.fixture
def hideout(alice, bob):
    community = CommunityFactory(
        slug="hideout",
        name="The Hideout",
        created_by=alice,
        visibility=Community.Visibility.INVITE,
    )
    MembershipFactory(community=community, member=bob)
    return community


@pytest.fixture
def post(night_sky, alice):
    return PostFactory(
        community=night_sky,
        author=alice,
        title="Seeing Saturn from a balcony",
        body="Its rings are **visible** with a small telescope.",
    )


def as_member(client, member):
    if member is not None:
        client.force_login(member)
    return client


def persona(request, name):
    return request.getfixturevalue(name) if name else None


# Reading a post ---------------------------------------------------------------------


@pytest.mark.parametrize("reader", [None, "charlie", "bob", "alice"])
def test_post_detail_of_an_open_community_is_readable_by_anyone(
    client, request, post, reader
):
    response = as_member(client, persona(request, reader)).get(f"/p/{post.pk}/")

    assert response.status_code == 200
    assert "<h1" in response.text
    assert "Seeing Saturn from a balcony" in response.text


def test_post_detail_shows_author_community_time_and_markdown(client, post):
    response = client.get(f"/p/{post.pk}/")

    assert 'href="/@alice/"' in response.text
    assert 'href="/c/night-sky/"' in response.text
    assert re.search(
        r'<time datetime="[^"]+" title="[^"]+">(just now|[^<]+ ago)</time>',
        response.text,
    )
    assert "<strong>visible</strong>" in response.text
    assert "edited" not in response.text


def test_post_detail_keeps_clean_places_for_talk_and_dialogues(client, bob, post):
    response = as_member(client, bob).get(f"/p/{post.pk}/")

    talk = section(response, "talk")
    assert "Talk 1:1 with the author" in talk
    assert f"/conversations/new/?to={post.author.handle}&amp;post={post.pk}" in talk
    assert "<button" not in talk
    assert "<form" not in talk
    assert "No dialogues yet" in section(response, "dialogues")


@pytest.mark.parametrize("reader", [None, "charlie"])
def test_post_detail_of_an_invite_only_community_is_404_for_others(
    client, request, hideout, alice, reader
):
    secret = PostFactory(community=hideout, author=alice, title="Only for us")

    response = as_member(client, persona(request, reader)).get(f"/p/{secret.pk}/")

    assert response.status_code == 404
    assert "Only for us" not in response.text


def test_post_detail_of_an_invite_only_community_is_readable_by_a_member(
    client, hideout, alice, bob
):
    secret = PostFactory(community=hideout, author=alice, title="Only for us")

    response = as_member(client, bob).get(f"/p/{secret.pk}/")

    assert response.status_code == 200
    assert "Only for us" in response.text


def test_post_detail_of_a_missing_post_is_404(client, db):
    assert client.get("/p/999999/").status_code == 404


def test_post_detail_offers_edit_and_delete_to_the_author_only(
    client, alice, bob, post
):
    mine = as_member(client, alice).get(f"/p/{post.pk}/").text
    theirs = as_member(client, bob).get(f"/p/{post.pk}/").text

    assert f'href="/p/{post.pk}/edit/"' in mine
    assert f'href="/p/{post.pk}/delete/"' in mine
    assert f'hx-post="/p/{post.pk}/delete/"' in mine
    assert "hx-confirm=" in mine
    assert f"/p/{post.pk}/edit/" not in theirs
    assert f"/p/{post.pk}/delete/" not in theirs


def test_post_detail_offers_no_edit_after_the_window_but_still_delete(
    client, alice, post
):
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )

    page = as_member(client, alice).get(f"/p/{post.pk}/").text

    assert f"/p/{post.pk}/edit/" not in page
    assert f"/p/{post.pk}/delete/" in page


def test_post_detail_of_a_deleted_post_is_a_tombstone(client, night_sky, alice):
    gone = PostFactory(
        community=night_sky, author=alice, title="", body="", deleted_at=timezone.now()
    )

    response = client.get(f"/p/{gone.pk}/")

    assert response.status_code == 200
    assert "This post was deleted by its author." in response.text
    assert 'id="talk"' not in response.text
    assert f"/p/{gone.pk}/delete/" not in response.text


def test_post_detail_marks_an_edit_with_a_link_to_the_history(client, post):
    Post.objects.filter(pk=post.pk).update(edited_at=timezone.now())

    response = client.get(f"/p/{post.pk}/")

    assert re.search(rf'<a href="/p/{post.pk}/history/">edited <time', response.text)


# Opening a post ---------------------------------------------------------------------


def test_post_create_sends_an_anonymous_visitor_to_log_in(client, night_sky):
    response = client.get("/c/night-sky/posts/new/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/c/night-sky/posts/new/"


def test_post_create_tells_a_non_member_to_join_first(client, charlie, night_sky):
    for response in (
        as_member(client, charlie).get("/c/night-sky/posts/new/"),
        client.post("/c/night-sky/posts/new/", {"title": "Hi", "body": "Hello"}),
    ):
        assert response.status_code == 403
        assert "Join Night Sky to post there." in response.text
        assert 'href="/c/night-sky/"' in response.text
        assert 'name="title"' not in response.text
    assert not Post.objects.exists()


def test_post_create_of_an_unlisted_community_is_404_for_a_non_member(
    client, charlie, alice
):
    CommunityFactory(slug="back-room", created_by=alice, is_listed=False)

    response = as_member(client, charlie).get("/c/back-room/posts/new/")

    assert response.status_code == 404


def test_post_create_shows_a_member_the_form_with_a_markdown_hint(
    client, bob, night_sky
):
    response = as_member(client, bob).get("/c/night-sky/posts/new/")

    assert response.status_code == 200
    for field in ("title", "body", "topics"):
        assert f'name="{field}"' in response.text
        assert f'<label for="id_{field}"' in response.text
    assert "Markdown" in response.text


def test_post_create_opens_the_post_and_shows_it(client, bob, night_sky):
    response = as_member(client, bob).post(
        "/c/night-sky/posts/new/",
        {
            "title": "  Dark skies near cities  ",
            "body": "Where do you go?",
            "topics": "Light Pollution, stars",
        },
    )

    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/p/{post.pk}/"
    assert (post.title, post.author, post.community) == (
        "Dark skies near cities",
        bob,
        night_sky,
    )
    assert sorted(t.name for t in post.topics.all()) == ["light-pollution", "stars"]
    page = client.get(response["Location"])
    assert "Your post is open" in page.text
    assert "light-pollution" in page.text


def test_post_create_refuses_an_empty_title_next_to_the_field(client, bob, night_sky):
    response = as_member(client, bob).post(
        "/c/night-sky/posts/new/", {"title": "   ", "body": "Words"}
    )

    assert response.status_code == 400
    assert field_error(response, "title") == "Give the post a title."
    assert not Post.objects.exists()


def test_post_create_refuses_an_over_long_body_next_to_the_field(
    client, bob, night_sky
):
    response = as_member(client, bob).post(
        "/c/night-sky/posts/new/", {"title": "Long", "body": "x" * 20001}
    )

    assert response.status_code == 400
    assert "at most 20000 characters" in field_error(response, "body")
    assert not Post.objects.exists()


def test_post_create_refuses_a_malformed_topic_next_to_the_field(
    client, bob, night_sky
):
    response = as_member(client, bob).post(
        "/c/night-sky/posts/new/",
        {"title": "Topics", "body": "Words", "topics": "good, not!ok"},
    )

    assert response.status_code == 400
    assert "is not a topic" in field_error(response, "topics")


# Editing ----------------------------------------------------------------------------


def test_post_edit_sends_an_anonymous_visitor_to_log_in(client, post):
    response = client.get(f"/p/{post.pk}/edit/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("editor", ["charlie", "bob"])
def test_post_edit_is_refused_to_anyone_but_the_author(client, request, post, editor):
    as_member(client, persona(request, editor))

    for response in (
        client.get(f"/p/{post.pk}/edit/"),
        client.post(f"/p/{post.pk}/edit/", {"title": "Mine now", "body": "Hah"}),
    ):
        assert response.status_code == 403
        assert "Only the author may edit a post." in response.text
    post.refresh_from_db()
    assert post.title == "Seeing Saturn from a balcony"


def test_post_edit_of_an_invite_only_post_is_404_for_a_stranger(
    client, charlie, hideout, alice
):
    secret = PostFactory(community=hideout, author=alice)

    response = as_member(client, charlie).get(f"/p/{secret.pk}/edit/")

    assert response.status_code == 404


def test_post_edit_shows_the_author_the_current_words(client, alice, post):
    response = as_member(client, alice).get(f"/p/{post.pk}/edit/")

    assert response.status_code == 200
    assert 'value="Seeing Saturn from a balcony"' in response.text
    assert "Its rings are **visible** with a small telescope." in response.text


def test_post_edit_saves_and_keeps_the_earlier_words(client, alice, post):
    response = as_member(client, alice).post(
        f"/p/{post.pk}/edit/",
        {"title": "Seeing Saturn from a roof", "body": "Rings!", "topics": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/p/{post.pk}/"
    post.refresh_from_db()
    assert (post.title, post.body) == ("Seeing Saturn from a roof", "Rings!")
    assert post.revisions.get().title == "Seeing Saturn from a balcony"
    page = client.get(f"/p/{post.pk}/")
    assert f'href="/p/{post.pk}/history/">edited' in page.text


def test_post_edit_after_the_window_is_refused_with_the_reason(client, alice, post):
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    as_member(client, alice)

    for response in (
        client.get(f"/p/{post.pk}/edit/"),
        client.post(f"/p/{post.pk}/edit/", {"title": "Late", "body": "Too late"}),
    ):
        assert response.status_code == 403
        assert "Posts can be edited for 24 hours" in response.text
        assert f'href="/p/{post.pk}/"' in response.text
    post.refresh_from_db()
    assert post.title == "Seeing Saturn from a balcony"


def test_post_edit_refuses_an_empty_body_next_to_the_field(client, alice, post):
    response = as_member(client, alice).post(
        f"/p/{post.pk}/edit/", {"title": "Still here", "body": ""}
    )

    assert response.status_code == 400
    assert field_error(response, "body") == "Write something in the post."


# History ----------------------------------------------------------------------------


def test_post_history_lists_earlier_versions_newest_first(client, post):
    now = timezone.now()
    for n, title in enumerate(["First words", "Second words"]):
        PostRevision.objects.create(
            post=post,
            title=title,
            body=f"Body {n}",
            written_at=now - timedelta(hours=3 - n),
            replaced_at=now - timedelta(hours=2 - n),
        )

    response = client.get(f"/p/{post.pk}/history/")

    assert response.status_code == 200
    assert response.text.index("Second words") < response.text.index("First words")


def test_post_history_of_an_unedited_post_says_so(client, post):
    response = client.get(f"/p/{post.pk}/history/")

    assert "never edited" in response.text


@pytest.mark.parametrize(("reader", "status"), [("charlie", 404), ("bob", 200)])
def test_post_history_of_an_invite_only_post_follows_who_may_read_it(
    client, request, hideout, alice, reader, status
):
    secret = PostFactory(community=hideout, author=alice)

    response = as_member(client, persona(request, reader)).get(
        f"/p/{secret.pk}/history/"
    )

    assert response.status_code == status


# Deleting ---------------------------------------------------------------------------


def test_post_delete_sends_an_anonymous_visitor_to_log_in(client, post):
    assert client.post(f"/p/{post.pk}/delete/").status_code == 302
    assert not Post.objects.get(pk=post.pk).is_deleted


@pytest.mark.parametrize("deleter", ["charlie", "bob"])
def test_post_delete_is_refused_to_anyone_but_the_author(
    client, request, post, deleter
):
    as_member(client, persona(request, deleter))

    for response in (
        client.get(f"/p/{post.pk}/delete/"),
        client.post(f"/p/{post.pk}/delete/"),
    ):
        assert response.status_code == 403
        assert "Only the author may delete a post." in response.text
    assert not Post.objects.get(pk=post.pk).is_deleted


def test_post_delete_asks_the_author_to_confirm_without_javascript(client, alice, post):
    response = as_member(client, alice).get(f"/p/{post.pk}/delete/")

    assert response.status_code == 200
    assert "Delete this post?" in response.text
    assert f'<form method="post" action="/p/{post.pk}/delete/">' in response.text
    assert not Post.objects.get(pk=post.pk).is_deleted


def test_post_delete_leaves_a_tombstone(client, alice, post):
    response = as_member(client, alice).post(f"/p/{post.pk}/delete/")

    assert response.status_code == 302
    assert response["Location"] == f"/p/{post.pk}/"
    post.refresh_from_db()
    assert post.is_deleted
    assert post.title == ""
    page = client.get(f"/p/{post.pk}/")
    assert page.status_code == 200
    assert "This post was deleted by its author." in page.text
    assert "Seeing Saturn" not in page.text


def test_post_delete_over_htmx_redirects_the_client(client, alice, post):
    response = as_member(client, alice).post(f"/p/{post.pk}/delete/", headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/p/{post.pk}/"
    assert Post.objects.get(pk=post.pk).is_deleted


# Search -----------------------------------------------------------------------------


@pytest.fixture
def indexed(night_sky, hideout, alice):
    """Posts written through the action, so the search index knows them."""
    unlisted = CommunityFactory(slug="back-room", created_by=alice, is_listed=False)
    return {
        "open": actions.create_post(
            night_sky,
            by=alice,
            title="Choosing a first telescope",
            body="Refractor or reflector for a beginner?",
        ),
        "invite": actions.create_post(
            hideout, by=alice, title="Our telescope fund", body="Private plans."
        ),
        "unlisted": actions.create_post(
            unlisted, by=alice, title="Telescope in the back room", body="Shh."
        ),
        "other": actions.create_post(
            night_sky, by=alice, title="Meteor showers", body="Perseids in August."
        ),
    }


def test_post_search_without_words_shows_a_hint(client, db):
    response = client.get("/search/")

    assert response.status_code == 200
    assert "Type a word or two" in response.text
    assert '<label for="id_q">' in response.text


def test_post_search_finds_a_post_by_another_form_of_a_word(client, charlie, indexed):
    response = as_member(client, charlie).get("/search/", {"q": "telescopes"})

    assert response.status_code == 200
    assert post_ids(response) == [indexed["open"].pk]


def test_post_search_shows_a_member_posts_of_their_private_community(
    client, bob, indexed
):
    response = as_member(client, bob).get("/search/", {"q": "telescope"})

    assert set(post_ids(response)) == {indexed["open"].pk, indexed["invite"].pk}


def test_post_search_within_one_community(client, alice, indexed):
    as_member(client, alice)

    night_sky = client.get("/search/", {"q": "telescope", "community": "night-sky"})
    back_room = client.get("/search/", {"q": "telescope", "community": "back-room"})

    assert post_ids(night_sky) == [indexed["open"].pk]
    assert "Search posts in Night Sky" in night_sky.text
    assert post_ids(back_room) == [indexed["unlisted"].pk]


def test_post_search_within_an_unlisted_community_is_404_for_a_stranger(
    client, charlie, indexed
):
    response = as_member(client, charlie).get(
        "/search/", {"q": "telescope", "community": "back-room"}
    )

    assert response.status_code == 404


def test_post_search_says_when_nothing_matches(client, indexed):
    response = client.get("/search/", {"q": "submarine"})

    assert response.status_code == 200
    assert post_ids(response) == []
    assert "No posts match “submarine”" in response.text


def test_post_search_over_htmx_returns_the_results_fragment(client, indexed):
    response = client.get("/search/", {"q": "meteor"}, headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert post_ids(response) == [indexed["other"].pk]


def test_post_search_page_updates_results_while_typing(client, db):
    page = client.get("/search/").text

    search_input = re.search(r'<input type="search" name="q"[^>]*>', page, re.S).group(
        0
    )
    assert 'hx-get="/search/"' in search_input
    assert 'hx-target="#search-results"' in search_input
    assert '<div id="search-results" aria-live="polite">' in page


def test_post_search_refuses_an_over_long_query_next_to_the_field(client, db):
    response = client.get("/search/", {"q": "word " * 50})

    assert response.status_code == 400
    assert "at most 200 characters" in field_error(response, "q")


# No counts anywhere -----------------------------------------------------------------


def test_post_pages_show_no_counts(client, alice, post):
    for n in range(3):
        PostRevision.objects.create(
            post=post, title=f"Take {n}", body="Old", written_at=timezone.now()
        )
    for member in MemberFactory.create_batch(3):
        MembershipFactory(community=post.community, member=member)
    as_member(client, alice)

    for path in (
        f"/p/{post.pk}/",
        f"/p/{post.pk}/edit/",
        f"/p/{post.pk}/delete/",
        f"/p/{post.pk}/history/",
        "/c/night-sky/posts/new/",
        "/search/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not COUNT.search(response.text), path

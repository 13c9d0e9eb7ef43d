import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.dialogues.models import Dialogue
from fireside.feed import queries
from fireside.posts.tests.factories import PostFactory

from .conftest import connect, publish, talk


@pytest.fixture
def dave(db):
    return MemberFactory(handle="dave", display_name="Dave Dunn")


@pytest.fixture
def feed_of_alice(alice, bob, charlie, dave):
    """alice keeps in touch with bob; bob and dave published a dialogue; charlie and
    dave (strangers to alice) published another."""
    talk(alice, bob)
    connect(alice, bob)
    ours = publish(bob, dave, title="Bees in winter")
    theirs = publish(charlie, dave, title="A stranger's dialogue")
    return ours, theirs


def test_feed_shows_a_connections_dialogue_and_not_a_strangers(feed_of_alice, alice):
    ours, theirs = feed_of_alice

    items = queries.home_feed(alice).items

    assert items == [ours]


def test_feed_shows_the_dialogue_on_the_home_page_marked_as_one(
    client, feed_of_alice, alice
):
    ours, theirs = feed_of_alice
    client.force_login(alice)

    page = client.get("/").text

    assert f'id="dialogue-{ours.pk}-title"' in page
    assert "Bees in winter" in page
    assert "A stranger" not in page
    article = page[page.index(f'aria-labelledby="dialogue-{ours.pk}-title"') :]
    article = article[: article.index("</article>")]
    assert "Dialogue" in article
    assert "Bob Brandt" in article
    assert "Dave Dunn" in article


def test_feed_api_marks_dialogues_with_their_type_and_participants(
    api_client, feed_of_alice, alice
):
    ours, _ = feed_of_alice
    community = CommunityFactory()
    MembershipFactory(community=community, member=alice)
    post = PostFactory(
        community=community, created_at=timezone.now() - timedelta(days=1)
    )

    response = api_client.as_member(alice).get("feed")

    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [(item["type"], item["id"]) for item in items] == [
        ("dialogue", ours.pk),
        ("post", post.pk),
    ]
    dialogue = items[0]
    assert dialogue["title"] == "Bees in winter"
    assert [p["handle"] for p in dialogue["participants"]] == ["bob", "dave"]
    assert dialogue["community"]["slug"] == ours.community.slug
    assert set(items[1]) >= {"title", "excerpt", "author", "community", "topics"}


def test_feed_leaves_out_a_dialogue_once_the_connection_is_let_go(
    feed_of_alice, alice, bob
):
    from fireside.connections.actions import let_go

    let_go(bob, by=alice)

    assert queries.home_feed(alice).items == []


def test_feed_leaves_out_a_dialogue_the_member_cannot_read(alice, bob, dave):
    from fireside.communities.models import Community

    talk(alice, bob)
    connect(alice, bob)
    hidden = publish(bob, dave)
    Dialogue.objects.filter(pk=hidden.pk).update(
        community=CommunityFactory(visibility=Community.Visibility.INVITE)
    )

    assert queries.home_feed(alice).items == []


def test_feed_pages_through_posts_and_dialogues_without_gaps_or_repeats(
    alice, bob, charlie, dave
):
    talk(alice, bob)
    connect(alice, bob)
    community = CommunityFactory()
    MembershipFactory(community=community, member=alice)
    start = timezone.now() - timedelta(days=1)
    posts = [
        PostFactory(community=community, created_at=start + timedelta(minutes=n // 2))
        for n in range(13)
    ]
    dialogues = []
    for n in range(9):
        dialogue = publish(bob, MemberFactory())
        # Some share their moment with a post, to test the tie-break.
        Dialogue.objects.filter(pk=dialogue.pk).update(
            published_at=start + timedelta(minutes=n)
        )
        dialogue.refresh_from_db()
        dialogues.append(dialogue)

    seen, cursor = [], None
    while True:
        page = queries.home_feed(alice, cursor=cursor, limit=4)
        seen += [(type(item).__name__, item.pk) for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    expected = sorted(
        [*posts, *dialogues],
        key=lambda item: (
            queries.item_moment(item),
            isinstance(item, Dialogue),
            item.pk,
        ),
        reverse=True,
    )
    assert seen == [(type(item).__name__, item.pk) for item in expected]
    assert len(seen) == 22


def test_feed_shows_dialogues_to_a_member_without_communities(alice, bob, dave):
    talk(alice, bob)
    connect(alice, bob)
    MembershipFactory._meta.model.objects.filter(member=alice).delete()
    dialogue = publish(bob, dave)

    assert queries.home_feed(alice).items == [dialogue]


def test_feed_next_link_on_the_page_keeps_working(client, alice, bob, dave):
    talk(alice, bob)
    connect(alice, bob)
    for _ in range(21):
        publish(bob, MemberFactory())
    client.force_login(alice)

    first = client.get("/")
    link = re.search(r'href="(/\?cursor=[^"]+)"', first.text).group(1)
    second = client.get(link.replace("&amp;", "&"))

    assert second.status_code == 200
    assert len(re.findall(r'id="dialogue-\d+-title"', first.text)) == 20
    assert len(re.findall(r'id="dialogue-\d+-title"', second.text)) == 1

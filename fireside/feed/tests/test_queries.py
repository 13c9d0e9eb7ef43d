from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.feed import queries
from fireside.posts.tests.factories import PostFactory


def read_all(member):
    ids, cursor = [], None
    while True:
        page = queries.home_feed(member, cursor=cursor, limit=7)
        ids += [post.pk for post in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


@pytest.fixture
def reader(alice, bob):
    """Alice in three communities with posts at shared and distinct times, one deleted,
    and a fourth community she is not in."""
    now = timezone.now()
    mine = [CommunityFactory(created_by=bob) for _ in range(3)]
    for community in mine:
        MembershipFactory(community=community, member=alice)
    for number in range(30):
        PostFactory(
            community=mine[number % 3],
            author=bob,
            created_at=now - timedelta(minutes=number // 4),
        )
    PostFactory(community=mine[0], author=bob, deleted_at=now)
    PostFactory(community=CommunityFactory(created_by=bob), author=bob)
    return alice


def test_home_feed_merge_reads_every_post_once_newest_first(reader):
    ids = read_all(reader)

    expected = list(
        queries.Post.objects.live()
        .filter(community__memberships__member=reader)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 30
    assert ids == expected


def test_home_feed_reads_the_same_without_the_merge(reader, monkeypatch):
    merged = read_all(reader)
    monkeypatch.setattr(queries, "MERGE_LIMIT", 1)

    assert read_all(reader) == merged

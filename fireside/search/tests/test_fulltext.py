"""Full-text search through its interface only, so that the same tests hold on SQLite
(FTS5) and on PostgreSQL (tsvector)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from fireside.search import fulltext
from fireside.search.fulltext import index, search_ids, unindex

pytestmark = pytest.mark.django_db


def post(object_id, title="Untitled", body="", topics=()):
    index("post", object_id, title=title, body=body, topics=list(topics))


def test_search_ids_finds_a_word_in_the_title():
    post(1, title="Garden tips")
    post(2, title="Sourdough")

    assert search_ids("post", "garden") == [1]


def test_search_ids_finds_a_word_in_the_body():
    post(1, body="We planted tomatoes in the garden.")

    assert search_ids("post", "tomatoes") == [1]


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Our garden in May", "gardening"),
        ("A bee on a flower", "bees"),
        ("Gardening with bees", "garden bee"),
        ("Two gardens", "gardens"),
    ],
)
def test_search_ids_matches_other_forms_of_a_word(text, query):
    post(1, title=text)

    assert search_ids("post", query) == [1]


def test_search_ids_matches_the_last_word_as_a_prefix():
    post(1, title="Astronomy night")

    assert search_ids("post", "astro") == [1]
    assert search_ids("post", "night astro") == [1]


def test_search_ids_matches_only_the_last_word_as_a_prefix():
    post(1, title="Astronomy night")

    assert search_ids("post", "astro night") == []


def test_search_ids_matches_a_short_last_word_whole():
    post(1, title="Garden gnomes")
    post(2, title="Garden GN")

    assert search_ids("post", "garden gn") == [2]
    assert search_ids("post", "gn") == [2]


def test_search_ids_requires_every_word():
    post(1, title="Garden bees")
    post(2, title="Garden tools")
    post(3, title="Bees in winter")

    assert search_ids("post", "garden bees") == [1]
    assert search_ids("post", "bees garden") == [1]


def test_search_ids_ignores_stop_words_between_words():
    post(1, title="History beekeeping")

    assert search_ids("post", "history of the beekeeping") == [1]


def test_search_ids_matches_a_stop_word_being_typed_as_a_prefix():
    post(1, title="Theatre club")
    post(2, title="Cinema club")

    assert search_ids("post", "club the") == [1]


def test_search_ids_ranks_a_title_match_above_a_body_only_match():
    post(1, title="Garden tips", body="Notes about soil and seeds for spring.")
    post(2, title="Weekend notes", body="Notes about the garden and seeds for spring.")

    assert search_ids("post", "garden") == [1, 2]


def test_search_ids_ranks_a_topic_match_above_a_body_only_match():
    post(1, title="Weekend notes", body="Seeds and soil.", topics=["gardening"])
    post(2, title="Weekend notes", body="Seeds and soil in the garden.")

    assert search_ids("post", "garden") == [1, 2]


def test_search_ids_ranks_more_occurrences_first():
    post(1, title="Weather", body="Bees and more bees, a hive of bees today.")
    post(2, title="Weather", body="Rain and one bee in the wind and sun today.")

    assert search_ids("post", "bees") == [1, 2]


def test_search_ids_ranks_newest_first_when_equally_relevant():
    post(1, title="Bees", body="Honey")
    post(2, title="Bees", body="Honey")

    assert search_ids("post", "bees") == [2, 1]


def test_search_ids_finds_topics():
    post(1, title="Saturday meetup", topics=["board-games", "chess"])
    post(2, title="Board meeting")

    assert search_ids("post", "chess") == [1]
    assert search_ids("post", "board games") == [1]
    assert search_ids("post", "board-games") == [1]


def test_search_ids_finds_non_latin_words():
    post(1, title="Пчёлы и мёд")
    post(2, title="日本語 の 本")
    post(3, title="Μέλισσες")

    assert search_ids("post", "пчёлы") == [1]
    assert search_ids("post", "日本語") == [2]
    assert search_ids("post", "Μέλισσες") == [3]


def test_unindex_removes_the_object():
    post(1, title="Garden tips")
    post(2, title="Garden tools")

    unindex("post", 1)

    assert search_ids("post", "garden") == [2]


def test_unindex_ignores_an_object_never_indexed():
    unindex("post", 404)

    assert search_ids("post", "garden") == []


def test_index_replaces_the_previous_text():
    post(1, title="Garden tips", topics=["plants"])

    post(1, title="Sourdough starters", topics=["baking"])

    assert search_ids("post", "garden") == []
    assert search_ids("post", "plants") == []
    assert search_ids("post", "sourdough") == [1]
    assert search_ids("post", "baking") == [1]


def test_search_ids_keeps_kinds_apart():
    index("community", 1, title="Garden club", body="", topics=[])
    post(1, title="Bees")

    assert search_ids("community", "garden") == [1]
    assert search_ids("community", "bees") == []
    assert search_ids("post", "garden") == []
    assert search_ids("post", "bees") == [1]

    unindex("community", 1)

    assert search_ids("community", "garden") == []
    assert search_ids("post", "bees") == [1]


def test_search_ids_respects_the_limit():
    for object_id in range(1, 6):
        post(object_id, title="Garden")

    assert len(search_ids("post", "garden", limit=2)) == 2
    assert search_ids("post", "garden", limit=0) == []


def test_search_ids_ranks_only_the_newest_candidates(monkeypatch):
    monkeypatch.setattr(fulltext, "CANDIDATE_CAP", 3)
    post(1, title="Garden", body="Garden")
    post(2, title="Notes", body="About the garden")
    post(3, title="Notes", body="About the garden")
    post(4, title="Garden", body="Garden")
    post(5, title="Notes", body="About the garden")
    post(6, title="Notes", body="About the garden")
    post(7, title="Notes", body="Nothing to see")

    results = search_ids("post", "garden")

    assert results[0] == 4
    assert sorted(results) == [4, 5, 6]


def test_search_ids_ranks_all_matches_below_the_cap():
    post(1, title="Garden", body="Garden")
    post(2, title="Notes", body="About the garden")

    assert search_ids("post", "garden") == [1, 2]


def test_search_ids_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="Unknown search kind"):
        search_ids("member", "garden")


def test_search_ids_uses_only_the_first_words_of_a_long_query():
    post(1, title="Garden")

    assert search_ids("post", "garden " * 10_000) == [1]
    assert search_ids("post", "garden " * 12 + "zebra") == [1]


@pytest.mark.parametrize(
    "query",
    [
        '"garden',
        'garden"',
        '"garden"',
        "(garden",
        "garden)",
        "garden*",
        "*garden",
        "-garden",
        "garden:*",
        "OR garden",
        "garden & | !",
        "garden <-> ",
        "garden's",
        "garden\\",
        "^garden",
        "{garden}",
        "'garden'",
        "garden\x00",
    ],
)
def test_search_ids_reads_query_syntax_as_plain_words(query):
    post(1, title="Garden tips")

    assert search_ids("post", query) == [1]


@pytest.mark.parametrize(
    "query",
    ["", "   ", "\n\t", "!!!", '"', '""', "()", "*", "-", ":", "'", "_", "\x00", "🐝"],
)
def test_search_ids_returns_nothing_without_words(query):
    post(1, title="Garden tips")

    assert search_ids("post", query) == []


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(garden tips)",
        "NEAR",
        "title:garden",
        "garden AND",
        "AND OR NOT",
        "garden NOT",
        '" unbalanced ( quotes "" )',
        "a" * 5000,
        " ".join(["garden"] * 5000),
        "x:*&y|!z<->(w)",
        "\u0301\u0301",
        "ǅ 𝔊 ٣ ⅷ",
        "\ufeff\u200b",
    ],
)
def test_search_ids_never_raises_on_hostile_input(query):
    post(1, title="Garden tips")

    assert all(isinstance(object_id, int) for object_id in search_ids("post", query))


_SYNTAX = st.sampled_from(
    ['"', "'", "(", ")", "*", "-", ":", "^", "&", "|", "!", "<->", "\\", " ", "_"]
    + ["NEAR", "AND", "OR", "NOT", "garden", "bees", "the", "a", "пчёлы", "日本"]
)


class TestSearchIdsProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        post(1, title="Garden bees", body="The hive is in the garden.")
        post(2, title="Пчёлы", topics=["日本"])

    def assert_returns_indexed_ids(self, query):
        results = search_ids("post", query)
        assert isinstance(results, list)
        assert set(results) <= {1, 2}
        assert all(type(object_id) is int for object_id in results)

    @given(st.text())
    def test_search_ids_never_raises_on_any_text(self, query):
        self.assert_returns_indexed_ids(query)

    @given(st.lists(_SYNTAX).map("".join))
    def test_search_ids_never_raises_on_query_syntax(self, query):
        self.assert_returns_indexed_ids(query)


def test_search_ids_among_ranks_only_that_scope_before_the_cap(db, monkeypatch):
    from fireside.communities.tests.factories import CommunityFactory
    from fireside.posts.models import Post
    from fireside.posts.tests.factories import PostFactory

    monkeypatch.setattr(fulltext, "CANDIDATE_CAP", 3)
    quiet, busy = CommunityFactory(), CommunityFactory()
    old = PostFactory(community=quiet, title="lantern repair")
    newer = [PostFactory(community=busy, title="lantern light") for _ in range(5)]
    for post in [old, *newer]:
        fulltext.index("post", post.pk, title=post.title, body="", topics=[])

    everywhere = fulltext.search_ids("post", "lantern")
    within = fulltext.search_ids(
        "post", "lantern", among=Post.objects.filter(community=quiet)
    )

    assert old.pk not in everywhere
    assert within == [old.pk]

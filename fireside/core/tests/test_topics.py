import pytest
from hypothesis import given
from hypothesis import strategies as st

from fireside.core.topics import TOPIC_MAX_LENGTH, TOPIC_PATTERN, parse_topics


def test_parse_topics_splits_a_comma_separated_string():
    topics, problems = parse_topics("astronomy, board-games,chess", limit=10)
    assert topics == ["astronomy", "board-games", "chess"]
    assert problems == []


def test_parse_topics_takes_a_list():
    topics, problems = parse_topics(["astronomy", "Board Games"], limit=10)
    assert topics == ["astronomy", "board-games"]
    assert problems == []


@pytest.mark.parametrize(
    ("raw", "topic"),
    [
        ("Astronomy", "astronomy"),
        ("  Board   Games ", "board-games"),
        ("board_games", "board-games"),
        ("#Chess", "chess"),
        ("ＣＨＥＳＳ", "chess"),
        ("-knitting-", "knitting"),
        ("Straße", "strasse"),
        ("café", "café"),
    ],
)
def test_parse_topics_normalises_each_topic(raw, topic):
    assert parse_topics(raw, limit=10) == ([topic], [])


def test_parse_topics_drops_repeats_and_keeps_first_seen_order():
    topics, problems = parse_topics(
        "chess, astronomy, Chess, #chess, ASTRONOMY", limit=10
    )
    assert topics == ["chess", "astronomy"]
    assert problems == []


def test_parse_topics_skips_empty_items():
    assert parse_topics("chess,, ,  ,astronomy,", limit=10) == (
        ["chess", "astronomy"],
        [],
    )
    assert parse_topics("", limit=10) == ([], [])


def test_parse_topics_says_when_there_are_too_many():
    raw = ", ".join(f"topic{number}" for number in range(4))
    topics, problems = parse_topics(raw, limit=3)
    assert len(topics) == 4
    assert problems == ["Choose at most 3 topics."]


def test_parse_topics_accepts_exactly_the_limit():
    raw = ", ".join(f"topic{number}" for number in range(3))
    assert parse_topics(raw, limit=3)[1] == []


@pytest.mark.parametrize("raw", ["c++", "rock & roll", "a--b", "x" * 31, "<script>"])
def test_parse_topics_explains_an_invalid_topic(raw):
    topics, problems = parse_topics(f"chess, {raw}", limit=10)
    assert topics == ["chess"]
    assert len(problems) == 1
    assert problems[0].startswith(f"“{raw[:40]}” is not a topic")
    assert "up to 30 characters" in problems[0]


def test_parse_topics_refuses_list_items_that_are_not_text():
    topics, problems = parse_topics(["chess", 42], limit=10)
    assert topics == ["chess"]
    assert problems == ["Each topic must be text."]


@given(
    st.one_of(st.text(), st.lists(st.text())), st.integers(min_value=0, max_value=12)
)
def test_parse_topics_returns_only_unique_well_formed_topics(raw, limit):
    topics, problems = parse_topics(raw, limit=limit)
    assert len(set(topics)) == len(topics)
    for topic in topics:
        assert len(topic) <= TOPIC_MAX_LENGTH
        assert TOPIC_PATTERN.fullmatch(topic)
        assert topic == topic.casefold()
    assert (len(topics) > limit) == ("Choose at most" in " ".join(problems))


@given(st.lists(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,1}", fullmatch=True)))
def test_parse_topics_keeps_normal_topics_as_they_are(items):
    topics, problems = parse_topics(", ".join(items), limit=len(items))
    assert topics == list(dict.fromkeys(items))
    assert problems == []

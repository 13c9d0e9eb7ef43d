import re

import pytest

from fireside.core.exceptions import RateLimited
from fireside.core.ratelimit import Limit, address_subject
from fireside.core.timestrings import wait_phrase

# An hour-long window, so that a test does not straddle two windows but once in ages.
WINDOW = 60 * 60


@pytest.fixture
def limit():
    return Limit("tests.limit", 3, WINDOW)


def test_limit_allows_up_to_its_count(limit):
    for _ in range(3):
        assert limit.retry_after("subject") == 0
        limit.check("subject", "Wait {wait}.")
        limit.hit("subject")


def test_limit_refuses_past_its_count_until_the_window_ends(limit):
    for _ in range(3):
        limit.hit("subject")
    wait = limit.retry_after("subject")
    assert 0 < wait <= WINDOW
    with pytest.raises(RateLimited) as refused:
        limit.check("subject", "Slow down. Try again {wait}.")
    assert 0 < refused.value.retry_after <= WINDOW
    assert re.fullmatch(
        r"Slow down\. Try again in \d+ (seconds?|minutes?|hours)\.",
        refused.value.message,
    )
    assert refused.value.status == 429


def test_limit_counts_each_subject_apart(limit):
    for _ in range(3):
        limit.hit("subject")
    assert limit.retry_after("someone else") == 0


def test_limit_counts_each_limit_apart(limit):
    other = Limit("tests.other", 3, WINDOW)
    for _ in range(3):
        limit.hit("subject")
    assert other.retry_after("subject") == 0


def test_limit_reset_clears_the_count(limit):
    for _ in range(3):
        limit.hit("subject")
    limit.reset("subject")
    assert limit.retry_after("subject") == 0
    limit.check("subject", "Wait {wait}.")


def test_limit_named_reads_the_configured_count_and_window(settings):
    settings.FIRESIDE_RATE_LIMITS = {
        **settings.FIRESIDE_RATE_LIMITS,
        "tests.x": (2, 90),
    }
    assert Limit.named("tests.x") == Limit("tests.x", 2, 90)
    assert Limit.named("login.account") == Limit("login.account", 10, 15 * 60)


@pytest.mark.parametrize(
    "address", ["", "garbage", "999.1.1.1", "10.0.0", "fe80::1::2", "203.0.113.7/24"]
)
def test_address_subject_is_none_for_no_or_garbled_address(address):
    assert address_subject(address) is None


def test_address_subject_is_a_keyed_hash_without_the_address(settings):
    subject = address_subject("203.0.113.7")
    assert re.fullmatch(r"[0-9a-f]{64}", subject)
    assert "203.0.113.7" not in subject
    assert address_subject("203.0.113.7") == subject
    assert address_subject("203.0.113.8") != subject
    settings.SECRET_KEY = "another secret key for another instance, long enough"
    assert address_subject("203.0.113.7") != subject


def test_address_subject_shares_one_subject_within_an_ipv6_64():
    first = address_subject("2001:db8:1:2::1")
    assert first is not None
    assert address_subject("2001:db8:1:2:ffff:ffff:ffff:ffff") == first
    assert address_subject("2001:0db8:0001:0002:0000:0000:0000:0099") == first
    assert address_subject("2001:db8:1:3::1") != first


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1"])
def test_address_subject_exempts_loopback_in_debug(settings, address):
    settings.DEBUG = True
    assert address_subject(address) is None
    assert address_subject("203.0.113.7") is not None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_address_subject_counts_loopback_without_debug(settings, address):
    settings.DEBUG = False
    assert address_subject(address) is not None


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (1, "in 1 second"),
        (2, "in 2 seconds"),
        (59, "in 59 seconds"),
        (60, "in 1 minute"),
        (61, "in 2 minutes"),
        (900, "in 15 minutes"),
        (119 * 60, "in 119 minutes"),
        (120 * 60, "in 2 hours"),
        (3 * 3600, "in 3 hours"),
        (3 * 3600 + 1, "in 4 hours"),
    ],
)
def test_wait_phrase_says_the_wait_as_a_person_would(seconds, phrase):
    assert wait_phrase(seconds) == phrase

import pytest

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.core.exceptions import RateLimited, ValidationFailed
from fireside.posts import actions as posts
from fireside.trust import limits
from tests.helpers import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_level_limits")]
DAY = 24 * 60 * 60


@pytest.fixture
def strangers():
    """Four members in one community with the sender, so "who may ask" lets them ask."""
    community = CommunityFactory()
    people = MemberFactory.create_batch(4)
    for person in people:
        MembershipFactory(community=community, member=person)
    return community, people


def _ask(client, person, n):
    return client.post(
        "conversations",
        json={"to": person.handle, "message": "Hello, about your post", "client_id": n},
    )


def _sender(level, community):
    sender = MemberFactory(trust_level=level)
    MembershipFactory(community=community, member=sender)
    return sender


def test_level_zero_fourth_request_in_a_day_gets_429_with_limit_and_retry(
    api_client, strangers, clock
):
    community, people = strangers
    as_sender = api_client.as_member(_sender(0, community))
    for n, person in enumerate(people[:3]):
        assert _ask(as_sender, person, f"r{n}").status_code == 201

    response = _ask(as_sender, people[3], "r3")

    body = assert_error(response, 429, "limit_reached")
    assert "3 conversation requests in 24 hours" in body["detail"]
    assert "You can send another in 24 hours" in body["detail"]
    assert 0 < body["retry_after"] <= DAY
    assert response["Retry-After"] == str(body["retry_after"])


def test_level_two_fourth_request_is_allowed(api_client, strangers, clock):
    community, people = strangers
    as_sender = api_client.as_member(_sender(2, community))
    for n, person in enumerate(people):
        assert _ask(as_sender, person, f"r{n}").status_code == 201


def test_request_limit_is_a_sliding_window(api_client, strangers, clock):
    community, people = strangers
    sender = _sender(0, community)
    as_sender = api_client.as_member(sender)
    assert _ask(as_sender, people[0], "r0").status_code == 201
    clock.advance(10 * 60 * 60)
    assert _ask(as_sender, people[1], "r1").status_code == 201
    assert _ask(as_sender, people[2], "r2").status_code == 201

    clock.advance(DAY - 10 * 60 * 60 - 60)
    refused = _ask(as_sender, people[3], "r3")
    assert_error(refused, 429, "limit_reached")
    assert refused.json()["retry_after"] <= 60

    clock.advance(61)  # the first request leaves the window, the others stay
    assert _ask(as_sender, people[3], "r3").status_code == 201
    with pytest.raises(RateLimited):
        limits.spend(sender, "conversation_requests")


def test_limits_hold_per_member(clock):
    one, other = MemberFactory(), MemberFactory()
    for _ in range(3):
        limits.spend(one, "conversation_requests")
    with pytest.raises(RateLimited):
        limits.spend(one, "conversation_requests")
    limits.spend(other, "conversation_requests")
    assert limits.remaining(other, "conversation_requests") == 2


def test_refund_gives_a_use_back(clock):
    member = MemberFactory()
    for _ in range(3):
        limits.spend(member, "conversation_requests")
    limits.refund(member, "conversation_requests")
    limits.spend(member, "conversation_requests")
    with pytest.raises(RateLimited):
        limits.spend(member, "conversation_requests")


def test_posts_are_limited_by_level(clock):
    community = CommunityFactory()
    newcomer = MemberFactory(trust_level=Member.TrustLevel.NEWCOMER)
    MembershipFactory(community=community, member=newcomer)
    for n in range(3):
        posts.create_post(community, by=newcomer, title=f"Post {n}", body="Words.")
    with pytest.raises(RateLimited, match="3 posts in 24 hours"):
        posts.create_post(community, by=newcomer, title="One more", body="Words.")


def test_invalid_post_does_not_spend_the_allowance(clock):
    community = CommunityFactory()
    newcomer = MemberFactory(trust_level=0)
    MembershipFactory(community=community, member=newcomer)
    for _ in range(4):
        with pytest.raises(ValidationFailed):
            posts.create_post(community, by=newcomer, title="", body="Words.")
    assert limits.remaining(newcomer, "posts") == 3


def test_communities_created_are_limited_by_level(api_client, clock):
    as_newcomer = api_client.as_member(MemberFactory(trust_level=0))

    def create(slug):
        return as_newcomer.post(
            "communities",
            json={"slug": slug, "name": slug.title(), "description": "A place."},
        )

    assert create("first-place").status_code == 201
    body = assert_error(create("second-place"), 429, "limit_reached")
    assert "1 community in 30 days" in body["detail"]


@pytest.mark.parametrize(
    "text",
    [
        "see https://example.com/x",
        "see http://example.com",
        "[click](https://example.com)",
        "<https://example.com>",
        "go to example.com/path now",
        "visit example.com",
        "www.example.org",
        "[ref]\n\n[ref]: https://example.com",
        "EXAMPLE.COM",
    ],
)
def test_check_links_refuses_links_at_level_zero(text):
    newcomer = MemberFactory(trust_level=0)
    with pytest.raises(ValidationFailed) as refused:
        limits.check_links(newcomer, text, field="body")
    assert refused.value.code == "links_not_allowed"
    assert "body" in refused.value.errors
    limits.check_links(MemberFactory(trust_level=1), text)


@pytest.mark.parametrize(
    "text",
    [
        "A plain sentence, e.g. about stars.",
        "I edited main.py and notes.txt",
        "Write to me at ada@example.com",
        "Version 3.14 is out",
        "",
    ],
)
def test_check_links_lets_text_without_links_through(text):
    limits.check_links(MemberFactory(trust_level=0), text)


def test_post_with_a_link_is_refused_at_level_zero_with_field_error(api_client):
    community = CommunityFactory()
    newcomer = MemberFactory(trust_level=0)
    MembershipFactory(community=community, member=newcomer)
    response = api_client.as_member(newcomer).post(
        f"communities/{community.slug}/posts",
        json={"title": "Look", "body": "At https://spam.example.com"},
    )
    body = assert_error(response, 400, "links_not_allowed")
    assert "body" in body["errors"]
    assert limits.remaining(newcomer, "posts") == 3

"""Pile-on protection: many people asking one member within the hour. The member is
notified of the first few; the rest wait in Later, with one calm notice, and the cohort
of a community whose post the requests cite gets a case."""

import re
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from fireside.accounts.actions import issue_api_token
from fireside.asgi import application
from fireside.communities.models import Membership
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations import actions
from fireside.conversations.models import Conversation, RequestBurst
from fireside.conversations.payloads import NOTICE_TEXT
from fireside.conversations.tests.factories import PlainMemberFactory
from fireside.moderation.models import Case
from fireside.posts.tests.factories import PostFactory
from fireside.trust.models import ActiveDay
from fireside.trust.standing import standing_in
from tests.helpers import run_async

# Seconds to wait for one frame: a bound for slow machines, not a pause.
TIMEOUT = 5
# How long a socket must stay silent to count as "was sent nothing more".
SILENCE = 0.5


def strangers(member, count, *, trust_level=1):
    """COUNT members who share a community with MEMBER and nothing else: no connection,
    no standing there. Level 1 unless told: level 0 has its own, stricter rule."""
    community = CommunityFactory(created_by=member)
    people = PlainMemberFactory.create_batch(count, trust_level=trust_level)
    for person in people:
        MembershipFactory(community=community, member=person)
    return community, people


def in_tray(member, tray):
    return list(
        Conversation.objects.filter(recipient=member, tray=tray).values_list(
            "initiator__handle", flat=True
        )
    )


class Sockets:
    def __init__(self):
        self.opened = []

    async def open(self, member):
        _, secret = await sync_to_async(issue_api_token)(member, name="socket")
        communicator = WebsocketCommunicator(application, f"/ws/?token={secret}")
        self.opened.append(communicator)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        assert (await communicator.receive_json_from(timeout=TIMEOUT))[
            "type"
        ] == "hello"
        return communicator

    async def close_all(self):
        for communicator in self.opened:
            await communicator.disconnect(timeout=TIMEOUT)


@pytest.fixture
def sockets():
    return Sockets()


async def drain(communicator):
    """Every frame the socket receives until it falls silent."""
    frames = []
    while not await communicator.receive_nothing(timeout=SILENCE):
        frames.append(await communicator.receive_json_from(timeout=TIMEOUT))
    return frames


@pytest.mark.django_db(transaction=True)
@run_async
async def test_seven_strangers_in_an_hour_notify_at_most_five_over_the_socket(
    sockets, alice
):
    _, people = await sync_to_async(strangers)(alice, 7)
    socket = await sockets.open(alice)

    made = []
    for person in people:
        made.append(
            await sync_to_async(actions.request_conversation)(
                by=person, to=alice, message="Hello, may we talk?"
            )
        )

    frames = await drain(socket)
    announced = [f["conversation"] for f in frames if f["type"] == "request"]
    assert announced == [conversation.pk for conversation in made[:5]]
    later = await sync_to_async(in_tray)(alice, Conversation.Tray.LATER)
    assert sorted(later) == sorted(person.handle for person in people[5:])
    assert await sync_to_async(RequestBurst.objects.filter(member=alice).count)() == 1


def test_seven_strangers_leave_five_in_requests_and_two_in_later_with_one_notice(
    alice, api_client, client
):
    _, people = strangers(alice, 7)
    for person in people:
        actions.request_conversation(by=person, to=alice, message="Hello")

    as_alice = api_client.as_member(alice)
    requests = as_alice.get("conversations?tray=requests").json()["items"]
    later = as_alice.get("conversations?tray=later").json()["items"]
    assert len(requests) == 5
    assert sorted(item["with"]["handle"] for item in later) == sorted(
        person.handle for person in people[5:]
    )
    assert as_alice.get("me/requests").json()["notice"] == NOTICE_TEXT

    client.force_login(alice)
    for path in ("/conversations/", "/conversations/requests/"):
        page = re.sub(r"\s+", " ", client.get(path).content.decode())
        assert page.count(NOTICE_TEXT) == 1
    tray = client.get("/conversations/requests/").content.decode()
    assert tray.count('class="request"') == 5
    assert "5 waiting for you" in client.get("/conversations/").content.decode()


def test_the_notice_is_put_away_once_for_the_whole_burst(alice, api_client, client):
    _, people = strangers(alice, 8)
    for person in people[:7]:
        actions.request_conversation(by=person, to=alice, message="Hello")
    client.force_login(alice)

    client.post("/conversations/requests/notice/dismiss/")
    actions.request_conversation(by=people[7], to=alice, message="Hello")

    assert NOTICE_TEXT not in client.get("/conversations/requests/").content.decode()
    assert api_client.as_member(alice).get("me/requests").json()["notice"] is None
    assert RequestBurst.objects.filter(member=alice).count() == 1


def test_more_than_three_level_zero_accounts_in_an_hour_are_held(alice):
    _, people = strangers(alice, 5, trust_level=0)

    made = [
        actions.request_conversation(by=person, to=alice, message="Hi")
        for person in people
    ]

    assert [conversation.tray for conversation in made] == ["requests"] * 3 + [
        "later"
    ] * 2


def test_requests_from_the_hour_before_do_not_count(alice):
    _, people = strangers(alice, 7)
    for person in people[:6]:
        conversation = actions.request_conversation(by=person, to=alice, message="Hi")
        Conversation.objects.filter(pk=conversation.pk).update(
            created_at=timezone.now() - timedelta(hours=2)
        )

    latest = actions.request_conversation(by=people[6], to=alice, message="Hi")

    assert latest.tray == Conversation.Tray.REQUESTS
    assert not RequestBurst.objects.exists()


def make_regular(member, community, *, talked_with):
    """Give MEMBER the standing of a regular of COMMUNITY: present 14 days since joining
    it 20 days ago, three accepted conversations with its members."""
    Membership.objects.filter(member=member, community=community).update(
        joined_at=timezone.now() - timedelta(days=20)
    )
    today = timezone.now().date()
    ActiveDay.objects.bulk_create(
        [ActiveDay(member=member, day=today - timedelta(days=n)) for n in range(14)]
    )
    for other in talked_with:
        conversation = actions.request_conversation(by=member, to=other, message="Hi")
        actions.accept_conversation(conversation, by=other)


def test_a_regular_of_a_shared_community_is_not_held(alice):
    community, people = strangers(alice, 10)
    regular = people[6]
    make_regular(regular, community, talked_with=people[7:])
    assert standing_in(regular, community).is_regular

    for person in people[:7]:
        actions.request_conversation(by=person, to=alice, message="Hi")

    assert sorted(in_tray(alice, Conversation.Tray.LATER)) == [people[5].handle]


def test_a_pile_on_citing_a_post_opens_one_case_for_its_cohort(alice):
    community, people = strangers(alice, 8)
    post = PostFactory(community=community, author=alice, title="An unpopular view")

    for person in people:
        actions.request_conversation(by=person, to=alice, message="Hi", post=post)

    cases = Case.objects.filter(community=community)
    assert cases.count() == 1
    case = cases.get()
    assert case.target_type == Case.TargetType.POST
    assert case.target_id == post.pk
    reports = list(case.reports.all())
    assert len(reports) == 1
    assert reports[0].reporter_id is None
    assert "Pile-on protection" in reports[0].reason


def test_a_pile_on_without_a_cited_post_opens_no_case(alice):
    _, people = strangers(alice, 7)

    for person in people:
        actions.request_conversation(by=person, to=alice, message="Hi")

    assert not Case.objects.exists()

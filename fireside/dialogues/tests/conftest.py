import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from fireside.accounts.actions import issue_api_token
from fireside.asgi import application
from fireside.communities.models import Community
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations import actions as conversations
from fireside.dialogues import actions
from fireside.posts.tests.factories import PostFactory

WORDS = [
    "What got you into bees?",
    "My grandmother kept six hives.",
    "A private aside about my **neighbour**.",
    "That is a good story.",
]


@pytest.fixture
def community(alice, bob):
    community = CommunityFactory(created_by=alice, slug="bees", name="Bees")
    MembershipFactory(community=community, member=bob)
    return community


@pytest.fixture
def private_community(alice, bob):
    community = CommunityFactory(
        created_by=alice,
        slug="hive-keepers",
        name="Hive keepers",
        visibility=Community.Visibility.INVITE,
    )
    MembershipFactory(community=community, member=bob)
    return community


@pytest.fixture
def post(community, alice):
    return PostFactory(community=community, author=alice, title="Wintering bees")


@pytest.fixture
def conversation(alice, bob, post):
    """bob asked alice about her post; four messages, alternating from bob."""
    conversation = conversations.request_conversation(
        by=bob, to=alice, message=WORDS[0], post=post
    )
    conversations.accept_conversation(conversation, by=alice)
    for number, body in enumerate(WORDS[1:]):
        conversations.send_message(conversation, by=[alice, bob][number % 2], body=body)
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def proposal(conversation, bob, post):
    return actions.propose_dialogue(conversation, by=bob, post=post)


@pytest.fixture
def dialogue(proposal, alice):
    return actions.accept_dialogue(proposal, by=alice)


class Sockets:
    """Open live sockets for a test; run_async closes them on the test's loop."""

    def __init__(self):
        self.opened = []

    async def open(self, member):
        _, secret = await sync_to_async(issue_api_token)(member, name="socket")
        communicator = WebsocketCommunicator(application, f"/ws/?token={secret}")
        self.opened.append(communicator)
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
        return communicator

    async def close_all(self):
        for communicator in self.opened:
            await communicator.disconnect(timeout=5)


@pytest.fixture
def sockets():
    return Sockets()

import pytest

from fireside.accounts.models import Member
from fireside.conversations import actions as conversations
from fireside.conversations.permissions import check_request_conversation
from fireside.conversations.pileon import are_connected
from fireside.core.exceptions import NotAllowed

from .conftest import connect, talk


@pytest.fixture
def only_connections(alice, bob, charlie):
    """alice and bob keep in touch; charlie shares a community with alice but is not a
    connection; alice takes requests from her connections only."""
    conversation = talk(alice, bob)
    talk(charlie, alice)
    connect(alice, bob)
    conversations.archive_conversation(conversation, by=alice)
    Member.objects.filter(pk=alice.pk).update(who_may_ask="connections")
    alice.refresh_from_db()
    return alice


def test_who_may_ask_connections_admits_a_connection(only_connections, bob):
    check_request_conversation(bob, only_connections)

    conversation = conversations.request_conversation(
        by=bob, to=only_connections, message="Picking up again"
    )

    assert conversation.state == "requested"
    assert are_connected(bob, only_connections)


def test_who_may_ask_connections_refuses_anyone_else(only_connections, charlie):
    with pytest.raises(NotAllowed) as refused:
        check_request_conversation(charlie, only_connections)

    assert refused.value.code == "connections_only"
    assert not are_connected(charlie, only_connections)

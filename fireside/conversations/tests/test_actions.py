import pytest

from fireside.conversations import actions
from fireside.conversations.models import Conversation
from fireside.conversations.tests.factories import share_community
from fireside.core.exceptions import NotAllowed, ValidationFailed
from fireside.safety.actions import block_member


@pytest.fixture
def talking(alice, bob):
    share_community(alice, bob)
    conversation = actions.request_conversation(
        by=alice, to=bob, message="Hello Bob", client_id="c1"
    )
    return actions.accept_conversation(conversation, by=bob)


def test_request_conversation_opens_with_the_first_message(alice, bob):
    share_community(alice, bob)

    conversation = actions.request_conversation(by=alice, to=bob, message=" Hi ")

    assert conversation.state == Conversation.State.REQUESTED
    assert [(m.seq, m.body) for m in conversation.messages.all()] == [(1, "Hi")]
    assert conversation.is_your_turn(bob)
    assert not conversation.is_your_turn(alice)


def test_request_conversation_repeated_client_id_returns_the_first(alice, bob):
    share_community(alice, bob)
    first = actions.request_conversation(by=alice, to=bob, message="Hi", client_id="x")

    again = actions.request_conversation(by=alice, to=bob, message="Hi", client_id="x")

    assert again.pk == first.pk
    assert Conversation.objects.count() == 1


def test_send_message_numbers_messages_without_gaps_both_ways(talking, alice, bob):
    actions.send_message(talking, by=bob, body="Hi Alice")
    actions.send_message(talking, by=alice, body="How are you?")
    actions.send_message(talking, by=bob, body="Well!", client_id="b1")
    repeat = actions.send_message(talking, by=bob, body="Well!", client_id="b1")

    seqs = list(talking.messages.values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4]
    assert repeat.seq == 4


@pytest.mark.parametrize(("body", "code"), [("   ", "empty"), ("x" * 4001, "too_long")])
def test_send_message_refuses_empty_and_over_long(talking, bob, body, code):
    with pytest.raises(ValidationFailed) as refused:
        actions.send_message(talking, by=bob, body=body)

    assert refused.value.code == code


def test_request_conversation_refuses_oneself_and_a_second_open_one(alice, bob):
    share_community(alice, bob)
    actions.request_conversation(by=alice, to=bob, message="Hi")

    with pytest.raises(ValidationFailed):
        actions.request_conversation(by=alice, to=alice, message="Hi")
    with pytest.raises(NotAllowed) as refused:
        actions.request_conversation(by=bob, to=alice, message="Hi")
    assert refused.value.code == "already_open"


def test_request_conversation_needs_a_shared_community_by_default(alice, charlie):
    with pytest.raises(NotAllowed) as refused:
        actions.request_conversation(by=charlie, to=alice, message="Hi")

    assert refused.value.code == "no_shared_community"


def test_decline_keeps_the_same_sender_away_for_30_days(alice, bob):
    share_community(alice, bob)
    conversation = actions.request_conversation(by=alice, to=bob, message="Hi")
    actions.decline_conversation(conversation, by=bob)

    with pytest.raises(NotAllowed) as refused:
        actions.request_conversation(by=alice, to=bob, message="Again?")
    assert refused.value.code == "declined_recently"
    # Bob himself may still ask Alice.
    assert actions.request_conversation(by=bob, to=alice, message="Actually, hi")


def test_block_ends_the_conversation_for_both_and_stops_requests(talking, alice, bob):
    block_member(alice, by=bob)
    talking.refresh_from_db()

    assert talking.state == Conversation.State.ENDED
    with pytest.raises(NotAllowed):
        actions.send_message(talking, by=alice, body="Still there?")
    with pytest.raises(NotAllowed) as refused:
        actions.request_conversation(by=alice, to=bob, message="Hi again")
    assert refused.value.code == "blocked"


def test_visible_to_shows_a_conversation_to_its_two_members_only(
    talking, alice, bob, charlie
):
    assert list(Conversation.objects.visible_to(alice)) == [talking]
    assert list(Conversation.objects.visible_to(bob)) == [talking]
    assert not Conversation.objects.visible_to(charlie).exists()

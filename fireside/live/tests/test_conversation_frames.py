"""Conversations over the live socket, on the real ASGI stack and the configured channel
layer: what each member is pushed, what a client may send, and how a bad frame is answered
without closing the socket."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from fireside.accounts.actions import issue_api_token
from fireside.accounts.tests.factories import MemberFactory
from fireside.asgi import application
from fireside.conversations import actions
from fireside.conversations.models import Message
from fireside.conversations.payloads import message_payload
from fireside.conversations.tests.factories import share_community
from tests.helpers import run_async

pytestmark = pytest.mark.django_db(transaction=True)

# Seconds to wait for one frame: a bound for slow CI machines, not a pause.
TIMEOUT = 5
# How long a socket must stay silent to count as "was sent nothing".
SILENCE = 0.3


class Sockets:
    def __init__(self):
        self.opened = []

    async def open(self, member):
        """A connected socket of MEMBER, authenticated by a token of its own."""
        _, secret = await sync_to_async(issue_api_token)(member, name="socket")
        communicator = WebsocketCommunicator(application, f"/ws/?token={secret}")
        self.opened.append(communicator)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        hello = await communicator.receive_json_from(timeout=TIMEOUT)
        assert hello == {"type": "hello", "member": member.handle}
        return communicator

    async def close_all(self):
        for communicator in self.opened:
            await communicator.disconnect(timeout=TIMEOUT)


@pytest.fixture
def sockets():
    return Sockets()


@pytest.fixture
def talking(alice, bob):
    """An active conversation between alice and bob, holding bob's accepted request."""
    share_community(alice, bob)
    conversation = actions.request_conversation(by=bob, to=alice, message="Hi Alice")
    return actions.accept_conversation(conversation, by=alice)


async def frame(communicator):
    return await communicator.receive_json_from(timeout=TIMEOUT)


async def assert_silent(communicator):
    assert await communicator.receive_nothing(timeout=SILENCE)


async def assert_still_open(communicator):
    await communicator.send_json_to({"type": "ping"})
    assert await frame(communicator) == {"type": "pong"}


async def payload_of(message_id):
    def read():
        return message_payload(
            Message.objects.select_related("author").get(pk=message_id)
        )

    return await sync_to_async(read)()


async def bodies(conversation):
    def read():
        return list(conversation.messages.values_list("seq", "body"))

    return await sync_to_async(read)()


@run_async
async def test_send_frame_acks_a_committed_message_with_the_next_seq(
    sockets, alice, talking
):
    socket = await sockets.open(alice)

    await socket.send_json_to(
        {
            "type": "send",
            "conversation": talking.pk,
            "body": "Hi Bob",
            "client_id": "a1",
        }
    )

    ack = await frame(socket)
    assert ack["type"] == "ack"
    assert ack["client_id"] == "a1"
    assert ack["message"]["seq"] == 2
    assert ack["message"]["author"] == "alice"
    assert ack["message"]["body"] == "Hi Bob"
    assert ack["message"] == await payload_of(ack["message"]["id"])
    assert await bodies(talking) == [(1, "Hi Alice"), (2, "Hi Bob")]


@run_async
async def test_send_frame_pushes_to_recipient_and_senders_other_socket(
    sockets, alice, bob, talking
):
    sender = await sockets.open(alice)
    senders_phone = await sockets.open(alice)
    recipient = await sockets.open(bob)

    await sender.send_json_to(
        {
            "type": "send",
            "conversation": talking.pk,
            "body": "Hi Bob",
            "client_id": "a1",
        }
    )

    ack = await frame(sender)
    expected = {
        "type": "message",
        "conversation": talking.pk,
        "message": ack["message"],
    }
    assert await frame(recipient) == expected
    assert await frame(senders_phone) == expected


@run_async
async def test_send_frame_repeated_client_id_returns_the_first_message(
    sockets, alice, talking
):
    socket = await sockets.open(alice)
    other_tab = await sockets.open(alice)
    send = {
        "type": "send",
        "conversation": talking.pk,
        "body": "Once",
        "client_id": "r",
    }

    await socket.send_json_to(send)
    first = await frame(socket)
    assert first["type"] == "ack"
    # Alice's other tab is pushed the message; the socket that sent it has its ack.
    pushed = await frame(other_tab)
    assert pushed["type"] == "message"
    assert pushed["message"] == first["message"]
    await socket.send_json_to(send)
    again = await frame(socket)

    assert again == first
    assert await bodies(talking) == [(1, "Hi Alice"), (2, "Once")]
    # A repeat adds nothing, so nobody is pushed anything.
    await assert_silent(socket)
    await assert_silent(other_tab)


@run_async
async def test_message_event_from_the_api_path_is_pushed_to_both(
    sockets, alice, bob, talking
):
    alices = await sockets.open(alice)
    bobs = await sockets.open(bob)

    message = await sync_to_async(actions.send_message)(
        talking, by=bob, body="**Bold** move"
    )

    expected = {
        "type": "message",
        "conversation": talking.pk,
        "message": await payload_of(message.pk),
    }
    assert "<strong>Bold</strong>" in expected["message"]["body_html"]
    assert await frame(alices) == expected
    assert await frame(bobs) == expected


@run_async
async def test_read_frame_moves_the_other_members_read_marker(
    sockets, alice, bob, talking
):
    alices = await sockets.open(alice)
    bobs = await sockets.open(bob)

    await alices.send_json_to({"type": "read", "conversation": talking.pk, "seq": 1})

    assert await frame(bobs) == {
        "type": "read",
        "conversation": talking.pk,
        "member": "alice",
        "seq": 1,
    }
    await talking.arefresh_from_db()
    assert talking.recipient_read_seq == 1
    # The reader itself is told nothing.
    await assert_silent(alices)


@run_async
async def test_state_frame_reaches_both_members_when_archived(
    sockets, alice, bob, talking
):
    alices = await sockets.open(alice)
    bobs = await sockets.open(bob)

    await sync_to_async(actions.archive_conversation)(talking, by=bob)

    expected = {"type": "state", "conversation": talking.pk, "state": "archived"}
    assert await frame(alices) == expected
    assert await frame(bobs) == expected


@run_async
async def test_request_frame_reaches_the_recipient_only(sockets, alice, charlie):
    await sync_to_async(share_community)(alice, charlie)
    alices = await sockets.open(alice)
    charlies = await sockets.open(charlie)

    conversation = await sync_to_async(actions.request_conversation)(
        by=charlie, to=alice, message="Hello there"
    )

    # The recipient hears of a request, not of a message she has not accepted yet.
    assert await frame(alices) == {"type": "request", "conversation": conversation.pk}
    await assert_silent(alices)
    # The requester's pages see its opening message, but no request frame.
    assert (await frame(charlies))["type"] == "message"
    await assert_silent(charlies)


@run_async
async def test_subscribe_frame_answers_for_own_conversation(sockets, alice, talking):
    socket = await sockets.open(alice)

    await socket.send_json_to({"type": "subscribe", "conversation": talking.pk})

    assert await frame(socket) == {
        "type": "subscribed",
        "conversation": talking.pk,
        "state": "active",
        "last_seq": 1,
    }


@run_async
async def test_subscribe_frame_refuses_foreign_and_missing_conversation(
    sockets, charlie, talking
):
    socket = await sockets.open(charlie)

    for conversation in (talking.pk, talking.pk + 1000):
        await socket.send_json_to({"type": "subscribe", "conversation": conversation})
        refused = await frame(socket)
        assert refused["type"] == "error"
        assert refused["code"] == "not_found"
        assert refused["conversation"] == conversation
        assert refused["detail"]


@run_async
async def test_send_frame_to_foreign_conversation_is_not_found_and_adds_nothing(
    sockets, alice, bob, charlie, talking
):
    outsider = await sockets.open(charlie)
    alices = await sockets.open(alice)
    bobs = await sockets.open(bob)

    await outsider.send_json_to(
        {"type": "send", "conversation": talking.pk, "body": "Psst", "client_id": "c1"}
    )
    await outsider.send_json_to({"type": "read", "conversation": talking.pk, "seq": 1})

    for _ in range(2):
        refused = await frame(outsider)
        assert refused["type"] == "error"
        assert refused["code"] == "not_found"
    assert refused["conversation"] == talking.pk
    assert await bodies(talking) == [(1, "Hi Alice")]
    await assert_silent(alices)
    await assert_silent(bobs)


@run_async
async def test_events_of_a_conversation_do_not_reach_an_outsider(
    sockets, charlie, bob, talking
):
    outsider = await sockets.open(charlie)

    await sync_to_async(actions.send_message)(talking, by=bob, body="Private")

    await assert_silent(outsider)


@pytest.mark.parametrize(("body", "code"), [("   ", "empty"), ("x" * 4001, "too_long")])
@run_async
async def test_send_frame_refused_by_the_action_answers_its_code(
    sockets, alice, talking, body, code
):
    socket = await sockets.open(alice)

    await socket.send_json_to(
        {"type": "send", "conversation": talking.pk, "body": body, "client_id": "e1"}
    )

    refused = await frame(socket)
    assert refused["type"] == "error"
    assert refused["code"] == code
    assert refused["client_id"] == "e1"
    assert refused["detail"]
    assert await bodies(talking) == [(1, "Hi Alice")]


@run_async
async def test_send_frame_to_archived_conversation_is_refused(
    sockets, alice, bob, talking
):
    await sync_to_async(actions.archive_conversation)(talking, by=bob)
    socket = await sockets.open(alice)

    await socket.send_json_to(
        {"type": "send", "conversation": talking.pk, "body": "Hi?", "client_id": "z"}
    )

    refused = await frame(socket)
    assert (refused["type"], refused["code"], refused["client_id"]) == (
        "error",
        "not_active",
        "z",
    )


MALFORMED = [
    ("not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('"send"', "JSON object"),
    ("{}", "Unknown frame type"),
    ('{"type": "shout"}', "Unknown frame type"),
    ('{"type": 7}', "Unknown frame type"),
    ('{"type": "send", "conversation": "1", "body": "x"}', '"conversation"'),
    ('{"type": "send", "conversation": true, "body": "x"}', '"conversation"'),
    ('{"type": "send", "conversation": 1}', '"body" is missing'),
    ('{"type": "send", "conversation": 1, "body": ["x"]}', '"body"'),
    ('{"type": "send", "conversation": 1, "body": "x", "client_id": 5}', "client_id"),
    ('{"type": "read", "conversation": 1, "seq": "3"}', '"seq"'),
    ('{"type": "subscribe"}', '"conversation" is missing'),
]


@pytest.mark.parametrize(("text", "detail"), MALFORMED)
@run_async
async def test_malformed_frame_is_answered_and_socket_stays_open(
    sockets, alice, talking, text, detail
):
    socket = await sockets.open(alice)

    await socket.send_to(text_data=text)

    refused = await frame(socket)
    assert refused["type"] == "error"
    assert refused["code"] == "bad_frame"
    assert detail in refused["detail"]
    await assert_still_open(socket)
    assert await bodies(talking) == [(1, "Hi Alice")]


@run_async
async def test_binary_frame_is_answered_and_socket_stays_open(sockets, alice):
    socket = await sockets.open(alice)

    await socket.send_to(bytes_data=json.dumps({"type": "ping"}).encode())

    refused = await frame(socket)
    assert (refused["type"], refused["code"]) == ("error", "bad_frame")
    await assert_still_open(socket)


@run_async
async def test_bad_frame_keeps_the_client_id_it_carried(sockets, alice, talking):
    socket = await sockets.open(alice)

    await socket.send_json_to(
        {"type": "send", "conversation": str(talking.pk), "body": "x", "client_id": "k"}
    )

    refused = await frame(socket)
    assert (refused["code"], refused["client_id"]) == ("bad_frame", "k")


@run_async
async def test_second_member_account_sees_nothing_of_others(sockets, talking):
    dave = await sync_to_async(MemberFactory)(handle="dave")
    socket = await sockets.open(dave)

    await socket.send_json_to(
        {"type": "send", "conversation": talking.pk, "body": "Hi", "client_id": "d"}
    )

    assert (await frame(socket))["code"] == "not_found"


@run_async
async def test_an_event_without_a_frame_is_skipped_and_the_socket_stays_open(
    sockets, alice
):
    from channels.layers import get_channel_layer

    from fireside.live.groups import member_group

    socket = await sockets.open(alice)

    await get_channel_layer().group_send(
        member_group(alice.pk), {"type": "from.a.newer.release", "n": 1}
    )

    await assert_silent(socket)
    await assert_still_open(socket)

"""Two uvicorn processes on one PostgreSQL database and one Redis: a member connected to
one process hears, live, what the other member sends through the other process, over the
socket and over the HTTP API, both ways."""

import json
import time
import uuid

import pytest
from django.conf import settings
from websockets.sync.client import connect

from tests.server.launch import (
    WAIT_SECONDS,
    ThrowawayPostgres,
    Uvicorn,
    api,
    create_talking_pair,
    free_port,
    migrate,
    server_env,
)

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        not (settings.REDIS_URL and settings.DATABASE_URL),
        reason="needs REDIS_URL and DATABASE_URL (PostgreSQL), as CI's PostgreSQL run",
    ),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Processes A and B sharing a throwaway database and a channel prefix of their own
    on the test run's Redis, and the pair of members they serve."""
    var_dir = tmp_path_factory.mktemp("two-processes")
    postgres = ThrowawayPostgres(settings.DATABASE_URL)
    servers = []
    try:
        env = server_env(
            var_dir,
            database_url=postgres.create(),
            redis_url=settings.REDIS_URL,
            channels_prefix=f"fireside.test.{uuid.uuid4().hex[:12]}",
        )
        migrate(env)
        pair = create_talking_pair(env)
        for name in ("a", "b"):
            server = Uvicorn(env, free_port(), var_dir / f"uvicorn-{name}.log")
            servers.append(server)
            server.start()
        yield servers[0], servers[1], pair
    finally:
        for server in servers:
            server.stop()
        postgres.drop()


class Socket:
    def __init__(self, websocket, member):
        self.handle = member["handle"]
        self.websocket = websocket
        assert self.next_frame() == {"type": "hello", "member": self.handle}

    def next_frame(self, timeout=WAIT_SECONDS):
        return json.loads(self.websocket.recv(timeout=timeout))

    def send(self, frame):
        self.websocket.send(json.dumps(frame))

    def wait_for(self, kind, predicate=lambda frame: True):
        """The first frame of type KIND matching PREDICATE within WAIT_SECONDS; frames
        before it (pushes of other messages, acks) are skipped."""
        deadline = time.monotonic() + WAIT_SECONDS
        skipped = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = self.next_frame(timeout=left)
            except TimeoutError:
                break
            if frame["type"] == kind and predicate(frame):
                return frame
            skipped.append(frame)
        raise AssertionError(f"@{self.handle} got no {kind} frame; only {skipped}")


def open_socket(server, member):
    return connect(
        f"{server.ws_url}?token={member['token']}",
        proxy=None,
        open_timeout=WAIT_SECONDS,
    )


@pytest.fixture
def sockets(cluster):
    """alice's socket on process A and bob's on process B."""
    a, b, pair = cluster
    with (
        open_socket(a, pair["alice"]) as alices,
        open_socket(b, pair["bob"]) as bobs,
    ):
        yield Socket(alices, pair["alice"]), Socket(bobs, pair["bob"])


def pushed(body):
    return lambda frame: frame["message"]["body"] == body


def test_two_processes_socket_messages_cross_both_ways(cluster, sockets):
    _, _, pair = cluster
    conversation = pair["conversation"]
    alice, bob = sockets

    alice.send(
        {
            "type": "send",
            "conversation": conversation,
            "body": "From A to B",
            "client_id": "a-1",
        }
    )
    ack = alice.wait_for("ack")
    assert ack["client_id"] == "a-1"
    arrived = bob.wait_for("message", pushed("From A to B"))
    assert arrived["conversation"] == conversation
    assert arrived["message"] == ack["message"]
    assert arrived["message"]["author"] == pair["alice"]["handle"]

    bob.send(
        {
            "type": "send",
            "conversation": conversation,
            "body": "From B to A",
            "client_id": "b-1",
        }
    )
    ack = bob.wait_for("ack")
    arrived = alice.wait_for("message", pushed("From B to A"))
    assert arrived["message"] == ack["message"]
    assert arrived["message"]["seq"] == ack["message"]["seq"]


def test_two_processes_api_messages_through_the_other_process_arrive_live(
    cluster, sockets
):
    a, b, pair = cluster
    conversation = pair["conversation"]
    alice, bob = sockets

    # alice's socket is on A; she writes through B's API. bob, on B, writes through A's.
    for server, sender, body in (
        (b, pair["alice"], "alice via B's API"),
        (a, pair["bob"], "bob via A's API"),
    ):
        status, message = api(
            server.base_url,
            "POST",
            f"conversations/{conversation}/messages",
            {"body": body, "client_id": f"http-{uuid.uuid4().hex}"},
            token=sender["token"],
        )
        assert status == 201, message
        for socket in (alice, bob):
            arrived = socket.wait_for("message", pushed(body))
            assert arrived["message"]["seq"] == message["seq"]
            assert arrived["message"]["id"] == message["id"]

    status, messages = api(
        a.base_url,
        "GET",
        f"conversations/{conversation}/messages?after=0",
        token=pair["bob"]["token"],
    )
    assert status == 200, messages
    seqs = [message["seq"] for message in messages]
    assert seqs == list(range(1, len(seqs) + 1))


def test_two_processes_read_marker_crosses_to_the_other_process(cluster, sockets):
    _, _, pair = cluster
    conversation = pair["conversation"]
    alice, bob = sockets

    alice.send(
        {
            "type": "send",
            "conversation": conversation,
            "body": "Read me",
            "client_id": "r",
        }
    )
    seq = alice.wait_for("ack")["message"]["seq"]
    bob.wait_for("message", pushed("Read me"))

    bob.send({"type": "read", "conversation": conversation, "seq": seq})

    assert alice.wait_for("read") == {
        "type": "read",
        "conversation": conversation,
        "member": pair["bob"]["handle"],
        "seq": seq,
    }

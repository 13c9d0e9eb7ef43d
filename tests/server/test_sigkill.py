"""Nothing lost, nothing doubled across a crash: a client sends a burst of messages with
client_ids and retries each until it is acknowledged; the server is killed with SIGKILL in
the middle and restarted on the same port and database. The conversation must then hold
each message exactly once, in send order, with gap-free seq.

Runs on SQLite, and on PostgreSQL when DATABASE_URL is set."""

import http.client
import threading
import time
import uuid

import pytest
from django.conf import settings

from tests.server.launch import (
    ThrowawayPostgres,
    Uvicorn,
    api,
    create_talking_pair,
    free_port,
    migrate,
    server_env,
)

pytestmark = pytest.mark.server

BURST = 500
KILL_AFTER_ACKS = 200
#: Bounds for the whole burst and for one message's retries, in seconds.
BURST_SECONDS = 300
MESSAGE_SECONDS = 90
BACKOFF_FIRST, BACKOFF_MAX = 0.02, 1.0
REQUEST_SECONDS = 5


@pytest.fixture
def crashing_server(tmp_path):
    postgres = (
        ThrowawayPostgres(settings.DATABASE_URL) if settings.DATABASE_URL else None
    )
    server = None
    try:
        env = server_env(
            tmp_path,
            database_url=postgres.create() if postgres else "",
            redis_url=settings.REDIS_URL or "",
            channels_prefix=f"fireside.test.{uuid.uuid4().hex[:12]}",
        )
        migrate(env)
        pair = create_talking_pair(env)
        server = Uvicorn(env, free_port(), tmp_path / "uvicorn.log").start()
        yield server, pair
    finally:
        if server is not None:
            server.stop()
        if postgres:
            postgres.drop()


class Killer(threading.Thread):
    """Once told, SIGKILLs the server and starts it again on the same port and database,
    while the client keeps sending."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server = server
        self.go = threading.Event()
        self.restarted = threading.Event()
        self.error = None

    def run(self):
        if not self.go.wait(timeout=BURST_SECONDS):
            return
        try:
            self.server.kill()
            self.server.start()
        except BaseException as error:
            self.error = error
        finally:
            self.restarted.set()


def send_until_acknowledged(server, token, conversation, body, client_id):
    """POST one message, retrying on any failure (refused, reset, timed out, 5xx) with a
    doubling backoff up to BACKOFF_MAX; return (message, attempts)."""
    deadline = time.monotonic() + MESSAGE_SECONDS
    backoff = BACKOFF_FIRST
    attempts = 0
    while True:
        attempts += 1
        try:
            status, answer = api(
                server.base_url,
                "POST",
                f"conversations/{conversation}/messages",
                {"body": body, "client_id": client_id},
                token=token,
                timeout=REQUEST_SECONDS,
            )
        except (OSError, http.client.HTTPException):
            status, answer = None, None
        if status in (200, 201):
            return answer, attempts
        if status is not None and status < 500 and status != 429:
            raise AssertionError(f"{client_id} refused with {status}: {answer}")
        if time.monotonic() + backoff > deadline:
            raise AssertionError(
                f"{client_id} not acknowledged in {MESSAGE_SECONDS} s "
                f"(last: {status} {answer}):\n{server.log()[-4000:]}"
            )
        time.sleep(backoff)
        backoff = min(backoff * 2, BACKOFF_MAX)


def all_messages(server, token, conversation):
    messages = []
    while True:
        status, page = api(
            server.base_url,
            "GET",
            f"conversations/{conversation}/messages?after={len(messages)}&limit=500",
            token=token,
        )
        assert status == 200, page
        if not page:
            return messages
        messages.extend(page)


def test_sigkill_mid_burst_loses_and_doubles_no_message(crashing_server):
    server, pair = crashing_server
    conversation = pair["conversation"]
    token = pair["alice"]["token"]
    killer = Killer(server)
    killer.start()
    started = time.monotonic()

    acks = []
    retried = 0
    for number in range(1, BURST + 1):
        assert time.monotonic() - started < BURST_SECONDS, "burst took too long"
        message, attempts = send_until_acknowledged(
            server, token, conversation, f"burst {number:03d}", f"burst-{number}"
        )
        acks.append(message)
        retried += attempts > 1
        if number == KILL_AFTER_ACKS:
            killer.go.set()
    killer.go.set()  # never left waiting, even if the burst ended early
    assert killer.restarted.wait(timeout=60)
    assert killer.error is None, killer.error

    # The crash happened, and some sends had to be retried across it.
    assert retried > 0
    messages = all_messages(server, token, conversation)
    assert [message["seq"] for message in messages] == list(range(1, len(messages) + 1))
    sent = [message for message in messages if message["seq"] > 1]
    assert [message["body"] for message in sent] == [
        f"burst {number:03d}" for number in range(1, BURST + 1)
    ]
    assert [message["client_id"] for message in sent] == [
        f"burst-{number}" for number in range(1, BURST + 1)
    ]
    # Each acknowledgement names the message that was kept, retries included.
    assert [(ack["id"], ack["seq"]) for ack in acks] == [
        (message["id"], message["seq"]) for message in sent
    ]

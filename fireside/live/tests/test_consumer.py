"""The live socket on the real ASGI stack (origin check, cookie and token auth) and the real
configured channel layer: who may open it, and what closes it."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from fireside.accounts.actions import change_password, issue_api_token, revoke_api_token
from fireside.accounts.tests.factories import PASSWORD
from fireside.asgi import application
from fireside.live.consumers import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED
from tests.helpers import run_async

pytestmark = pytest.mark.django_db(transaction=True)

# Seconds to wait for one frame: a bound for slow CI machines, not a pause.
TIMEOUT = 5


class Sockets:
    """Opens communicators and disconnects every one of them at the end of a test."""

    def __init__(self):
        self.opened = []

    def open(self, *, token=None, cookie=None, origin=None):
        headers = []
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        if origin:
            headers.append((b"origin", origin.encode()))
        path = f"/ws/?token={token}" if token else "/ws/"
        communicator = WebsocketCommunicator(application, path, headers=headers)
        self.opened.append(communicator)
        return communicator

    async def close_all(self):
        for communicator in self.opened:
            await communicator.disconnect(timeout=TIMEOUT)


@pytest.fixture
def sockets():
    return Sockets()


@pytest.fixture
def token(alice):
    _, secret = issue_api_token(alice, name="phone")
    return secret


@pytest.fixture
def browser(alice):
    """A logged-in browser: a test client and the Cookie header its socket sends."""
    client = Client()
    client.force_login(alice)
    name = settings.SESSION_COOKIE_NAME
    return client, f"{name}={client.cookies[name].value}"


async def connect_member(communicator, handle):
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    hello = await communicator.receive_json_from(timeout=TIMEOUT)
    assert hello == {"type": "hello", "member": handle}


async def close_code(communicator):
    """The code of the next frame, which must be a close."""
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close", output
    return output.get("code")


async def assert_still_open(communicator):
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}


@run_async
async def test_consumer_closes_anonymous_socket_with_4401(sockets):
    communicator = sockets.open()
    # Accepted, then closed at once, so that a client can read why.
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    assert await close_code(communicator) == CLOSE_UNAUTHENTICATED


@run_async
async def test_consumer_accepts_live_token_and_says_hello(sockets, alice, token):
    communicator = sockets.open(token=token)
    await connect_member(communicator, "alice")
    await assert_still_open(communicator)


@run_async
async def test_consumer_closes_socket_with_revoked_token(sockets, alice, token):
    api_token = await alice.api_tokens.aget()
    await sync_to_async(revoke_api_token)(api_token, by=alice)
    communicator = sockets.open(token=token)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    assert await close_code(communicator) == CLOSE_UNAUTHENTICATED


@run_async
async def test_consumer_closes_socket_with_unknown_token(sockets, alice):
    communicator = sockets.open(token="fs_not-a-token-anyone-was-given")
    await communicator.connect(timeout=TIMEOUT)
    assert await close_code(communicator) == CLOSE_UNAUTHENTICATED


@run_async
async def test_consumer_accepts_session_cookie_of_logged_in_member(sockets, browser):
    _, cookie = browser
    communicator = sockets.open(cookie=cookie)
    await connect_member(communicator, "alice")


@run_async
async def test_consumer_refuses_foreign_origin(sockets, token):
    communicator = sockets.open(token=token, origin="http://evil.example")
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


@run_async
async def test_consumer_accepts_own_origin(sockets, token):
    communicator = sockets.open(token=token, origin="http://localhost")
    await connect_member(communicator, "alice")


@run_async
async def test_consumer_closes_socket_after_password_change(sockets, alice, browser):
    _, cookie = browser
    communicator = sockets.open(cookie=cookie)
    await connect_member(communicator, "alice")

    def change():
        with transaction.atomic():
            change_password(
                alice, current_password=PASSWORD, new_password="a brand new passphrase"
            )

    await sync_to_async(change)()
    assert await close_code(communicator) == CLOSE_SESSION_ENDED


@run_async
async def test_consumer_closes_socket_when_its_token_is_revoked(sockets, alice, token):
    _, other_secret = await sync_to_async(issue_api_token)(alice, name="laptop")
    own = sockets.open(token=token)
    other = sockets.open(token=other_secret)
    await connect_member(own, "alice")
    await connect_member(other, "alice")

    api_token = await alice.api_tokens.aget(name="phone")
    await sync_to_async(revoke_api_token)(api_token, by=alice)

    assert await close_code(own) == CLOSE_SESSION_ENDED
    # The event reached both sockets of the member; only the revoked token's one closed.
    await assert_still_open(other)


@run_async
async def test_consumer_closes_only_sockets_of_the_session_that_logs_out(
    sockets, browser, token
):
    client, cookie = browser
    from_session = sockets.open(cookie=cookie)
    from_token = sockets.open(token=token)
    await connect_member(from_session, "alice")
    await connect_member(from_token, "alice")

    response = await sync_to_async(client.post)("/logout/")
    assert response.status_code == 302

    assert await close_code(from_session) == CLOSE_SESSION_ENDED
    await assert_still_open(from_token)

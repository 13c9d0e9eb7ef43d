"""A suspension closes the member's open sockets (session and token alike), on the real
ASGI stack and the configured channel layer."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from fireside.accounts.actions import issue_api_token, suspend_account
from fireside.asgi import application
from fireside.live.consumers import CLOSE_SESSION_ENDED, CLOSE_UNAUTHENTICATED
from tests.helpers import run_async

pytestmark = pytest.mark.django_db(transaction=True)

# Seconds to wait for one frame: a bound for slow CI machines, not a pause.
TIMEOUT = 5


class Sockets:
    def __init__(self):
        self.opened = []

    def open(self, *, token=None, cookie=None):
        headers = [(b"cookie", cookie.encode())] if cookie else []
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


async def connect(communicator, handle):
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    hello = await communicator.receive_json_from(timeout=TIMEOUT)
    assert hello == {"type": "hello", "member": handle}


async def close_code(communicator):
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close", output
    return output.get("code")


@run_async
async def test_suspend_account_closes_every_open_socket(sockets, alice, bob, staff):
    _, secret = await sync_to_async(issue_api_token)(alice, name="phone")
    browser = Client()
    await sync_to_async(browser.force_login)(alice)
    name = settings.SESSION_COOKIE_NAME
    cookie = f"{name}={browser.cookies[name].value}"
    _, bobs_secret = await sync_to_async(issue_api_token)(bob, name="phone")
    from_token = sockets.open(token=secret)
    from_session = sockets.open(cookie=cookie)
    bystander = sockets.open(token=bobs_secret)
    await connect(from_token, "alice")
    await connect(from_session, "alice")
    await connect(bystander, "bob")

    def suspend():
        with transaction.atomic():
            suspend_account(alice, by=staff, reason="Spam.")

    await sync_to_async(suspend)()

    assert await close_code(from_token) == CLOSE_SESSION_ENDED
    assert await close_code(from_session) == CLOSE_SESSION_ENDED
    await bystander.send_json_to({"type": "ping"})
    assert await bystander.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    again = sockets.open(token=secret)
    connected, _ = await again.connect(timeout=TIMEOUT)
    assert connected
    assert await close_code(again) == CLOSE_UNAUTHENTICATED

"""The suspended persona on the live socket: a suspension (world.suspend) stops the
account's session cookie and its API tokens from opening /ws/, as the matrix shows they
stop working for pages and the API."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from fireside.accounts.actions import issue_api_token
from fireside.accounts.tests.factories import MemberFactory
from fireside.asgi import application
from fireside.live.consumers import CLOSE_UNAUTHENTICATED
from tests.helpers import run_async
from tests.security.world import suspend

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


@pytest.fixture
def credentials(db):
    """A member's token and session cookie, both made while the account was active."""
    member = MemberFactory(handle="sam", display_name="Sam Suspended")
    _, secret = issue_api_token(member, name="phone")
    client = Client()
    client.force_login(member)
    name = settings.SESSION_COOKIE_NAME
    return member, secret, f"{name}={client.cookies[name].value}"


async def first_frame(communicator):
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return await communicator.receive_output(timeout=TIMEOUT)


@pytest.mark.parametrize("by", ["token", "cookie"])
@run_async
async def test_suspended_member_cannot_open_the_live_socket(sockets, credentials, by):
    member, secret, cookie = credentials
    how = {"token": secret} if by == "token" else {"cookie": cookie}
    before = await first_frame(sockets.open(**how))
    assert before["type"] == "websocket.send", before  # the hello of an open socket

    await sync_to_async(suspend)(member)
    after = await first_frame(sockets.open(**how))
    assert after["type"] == "websocket.close", after
    assert after.get("code") == CLOSE_UNAUTHENTICATED

"""The real stack as `make run` starts it: uvicorn serving fireside.asgi, spoken to over
TCP by a stdlib HTTP client and the `websockets` client, the way an outside client would."""

import email
import email.policy
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.server.launch import ThrowawayPostgres, free_port

pytestmark = pytest.mark.server

START_SECONDS = 60
MIGRATE_SECONDS = 300
WAIT_SECONDS = 10
PASSWORD = "a long quiet evening by the fire"
STATIC_CSS = Path(settings.BASE_DIR) / "fireside/core/static/fireside/app.css"

# No proxy from the environment may stand between the tests and the loopback server.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Server:
    def __init__(self, base_url, var_dir):
        self.base_url = base_url
        self.var_dir = var_dir

    @property
    def ws_url(self):
        return self.base_url.replace("http://", "ws://", 1) + "/ws/"

    def request(self, method, path, body=None, token=None):
        """Return (status, headers, body bytes); 4xx and 5xx answers are returned too."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with _opener.open(request, timeout=WAIT_SECONDS) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()

    def api(self, method, path, body=None, token=None):
        status, _, content = self.request(method, f"/api/v1/{path}", body, token)
        return status, json.loads(content) if content else None

    def mail_to(self, address):
        """The one mail sent to ADDRESS, waiting for it up to WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            found = []
            for path in sorted((self.var_dir / "mail").glob("*.eml")):
                message = email.message_from_bytes(
                    path.read_bytes(), policy=email.policy.default
                )
                if message["To"] == address:
                    found.append(message)
            if found or time.monotonic() > deadline:
                assert len(found) == 1, (
                    f"expected one mail to {address}, found {len(found)}"
                )
                return found[0]
            time.sleep(0.05)


def _wait_until_answering(process, base_url, log_path):
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"uvicorn exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            with _opener.open(base_url + "/", timeout=2) as response:
                response.read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"uvicorn did not answer in {START_SECONDS} s:\n{log_path.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("server-var")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    # The browser tests' escape hatch must not reach a real server process.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DEBUG="true",
        FIRESIDE_VAR_DIR=str(var_dir),
        PORT=str(port),
        SITE_URL=base_url,
        # Set even when empty, so that a developer's .env cannot switch them on.
        DATABASE_URL="",
        REDIS_URL=settings.REDIS_URL or "",
    )
    postgres = (
        ThrowawayPostgres(settings.DATABASE_URL) if settings.DATABASE_URL else None
    )
    process = None
    log_path = var_dir / "uvicorn.log"
    try:
        if postgres:
            env["DATABASE_URL"] = postgres.create()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
            timeout=MIGRATE_SECONDS,
        )
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "fireside.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--lifespan",
                    "off",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_until_answering(process, base_url, log_path)
        yield Server(base_url, var_dir)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=WAIT_SECONDS)
        if postgres:
            postgres.drop()


@pytest.fixture(scope="module")
def member_token(server):
    """The handle and a bearer token of a member signed up through the API."""
    handle = f"sock_{uuid.uuid4().hex[:8]}"
    status, body = server.api(
        "POST",
        "auth/signup",
        {
            "handle": handle,
            "email": f"{handle}@example.org",
            "password": PASSWORD,
            "display_name": "Socket Tester",
        },
    )
    assert status == 201, body
    status, body = server.api(
        "POST", "auth/token", {"login": handle, "password": PASSWORD}
    )
    assert status == 200, body
    return handle, body["token"]


def test_uvicorn_serves_the_home_page(server):
    status, headers, content = server.request("GET", "/")
    assert status == 200
    assert headers.get_content_type() == "text/html"
    assert b"<html" in content
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_uvicorn_serves_static_files_through_whitenoise(server):
    status, headers, content = server.request("GET", "/static/fireside/app.css")
    assert status == 200
    assert headers.get_content_type() == "text/css"
    assert content == STATIC_CSS.read_bytes()


def test_uvicorn_api_round_trip_signs_up_verifies_and_authenticates(server):
    handle = f"ada_{uuid.uuid4().hex[:8]}"
    address = f"{handle}@example.org"
    status, body = server.api(
        "POST",
        "auth/signup",
        {
            "handle": handle,
            "email": address,
            "password": PASSWORD,
            "display_name": "Ada Lovelace",
        },
    )
    assert (status, body) == (201, {"handle": handle, "display_name": "Ada Lovelace"})

    text = server.mail_to(address).get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/verify/[^/\s]+/", text)
    assert link, text
    assert link.group().startswith(server.base_url + "/verify/")
    status, _, content = server.request(
        "GET", link.group().removeprefix(server.base_url)
    )
    assert status == 200, content

    status, body = server.api(
        "POST", "auth/token", {"login": address, "password": PASSWORD}
    )
    assert status == 200, body
    token = body["token"]

    status, me = server.api("GET", "me", token=token)
    assert status == 200, me
    assert me["handle"] == handle
    assert me["email_verified"] is True

    status, profile = server.api("GET", f"members/{handle}")
    assert status == 200, profile
    assert profile["handle"] == handle
    assert {
        "handle",
        "display_name",
        "bio",
        "interests",
        "trust_level",
        "joined",
    } <= set(profile)
    assert not [key for key in profile if "count" in key]


def test_uvicorn_websocket_with_token_says_hello(server, member_token):
    handle, token = member_token
    with connect(
        f"{server.ws_url}?token={token}", proxy=None, open_timeout=WAIT_SECONDS
    ) as websocket:
        assert json.loads(websocket.recv(timeout=WAIT_SECONDS)) == {
            "type": "hello",
            "member": handle,
        }


def test_uvicorn_websocket_without_credentials_is_closed_with_4401(server):
    with (
        connect(server.ws_url, proxy=None, open_timeout=WAIT_SECONDS) as websocket,
        pytest.raises(ConnectionClosed) as closed,
    ):
        websocket.recv(timeout=WAIT_SECONDS)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


def test_uvicorn_websocket_from_a_foreign_origin_is_refused(server, member_token):
    _, token = member_token
    with pytest.raises(InvalidStatus) as refused:
        connect(
            f"{server.ws_url}?token={token}",
            origin="http://evil.example",
            proxy=None,
            open_timeout=WAIT_SECONDS,
        )
    assert refused.value.response.status_code == 403


def test_uvicorn_websocket_from_its_own_origin_is_accepted(server, member_token):
    handle, token = member_token
    with connect(
        f"{server.ws_url}?token={token}",
        origin=server.base_url,
        proxy=None,
        open_timeout=WAIT_SECONDS,
    ) as websocket:
        assert json.loads(websocket.recv(timeout=WAIT_SECONDS))["member"] == handle

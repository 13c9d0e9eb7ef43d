"""The SSRF-safe fetcher: refusals need no network; the rest talks to a local server,
reachable only because the test-only FEDERATION_ALLOW_PRIVATE_ADDRESSES is on."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fireside.federation import fetch
from fireside.federation.fetch import (
    FetchError,
    NotJSON,
    TooLarge,
    UnsafeURL,
    address_problem,
    fetch_json,
)

# The fetcher reads the instance blocks (fetch.Blocked) before it connects.
pytestmark = pytest.mark.django_db

ACTOR = {"id": "https://peer.example/actor", "type": "Application"}


class Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _send(
        self, status, body=b"", content_type="application/activity+json", **extra
    ):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Handler.seen.append(dict(self.headers))
        path = self.path
        if path == "/actor":
            self._send(200, json.dumps(ACTOR).encode())
        elif path == "/jrd":
            self._send(200, b'{"subject": "x"}', "application/jrd+json")
        elif path == "/html":
            self._send(200, b"<p>hi</p>", "text/html")
        elif path == "/list":
            self._send(200, b"[1, 2]", "application/json")
        elif path == "/broken":
            self._send(200, b"{nope", "application/json")
        elif path == "/big":
            self._send(200, b"[" + b" " * fetch.MAX_BYTES + b"]", "application/json")
        elif path == "/big-chunked":
            # No Content-Length: the cap must hold while reading.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"a": "' + b"x" * (fetch.MAX_BYTES + 10) + b'"}')
            self.close_connection = True
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/actor" if left == 0 else f"/hop/{left - 1}"
            self._send(302, Location=target)
        elif path == "/to-file":
            self._send(302, Location="file:///etc/passwd")
        elif path == "/missing":
            self._send(404, b"{}")
        else:
            self._send(500)


@pytest.fixture
def server(settings):
    settings.FEDERATION_ALLOW_PRIVATE_ADDRESSES = True
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.seen.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# Refusals (no network) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/actor",
        "https://127.8.9.10/actor",
        "https://localhost/actor",
        "https://10.1.2.3/actor",
        "https://172.16.0.1/actor",
        "https://192.168.1.1/actor",
        "https://100.64.0.1/actor",  # shared address space (carrier NAT)
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/actor",
        "https://224.0.0.1/actor",
        "https://240.0.0.1/actor",
        "https://[::1]/actor",
        "https://[::]/actor",
        "https://[fe80::1]/actor",
        "https://[fc00::1]/actor",
        "https://[ff02::1]/actor",
        "https://[::ffff:127.0.0.1]/actor",
        "https://[::ffff:10.0.0.1]/actor",
        "https://[2002:7f00:1::]/actor",  # 6to4 around 127.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/actor",  # NAT64 around 169.254.169.254
    ],
)
def test_non_public_addresses_are_refused(url):
    with pytest.raises(UnsafeURL, match="Refusing"):
        fetch_json(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://peer.example/actor",
        "ftp://peer.example/actor",
        "file:///etc/passwd",
        "https://user:secret@peer.example/actor",
        "https:///actor",
        "https://peer.example:99999/actor",
    ],
)
def test_unsafe_urls_are_refused_before_any_lookup(url):
    with pytest.raises(UnsafeURL):
        fetch_json(url)


def test_public_addresses_pass_the_check():
    assert address_problem("93.184.215.14") is None
    assert address_problem("2606:2800:21f:cb07:6820:80da:af6b:8b2c") is None
    assert address_problem("127.0.0.1") == "127.0.0.1 is a loopback address"


def test_loopback_is_refused_even_when_a_server_listens(server, settings):
    settings.FEDERATION_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(UnsafeURL):
        fetch_json(f"{server}/actor")  # http, and loopback
    assert Handler.seen == []


# Against a local server (allowed by the test-only setting) -----------------------------


def test_fetches_json_with_our_headers(server):
    assert fetch_json(f"{server}/actor") == ACTOR
    headers = Handler.seen[-1]
    assert "application/activity+json" in headers["Accept"]
    assert headers["Host"] == server.removeprefix("http://")
    assert headers["Date"].endswith("GMT")
    assert headers["User-Agent"].startswith("Fireside/")


def test_any_json_media_type_is_accepted(server):
    assert fetch_json(f"{server}/jrd") == {"subject": "x"}


def test_signer_signs_every_request(server):
    calls = []

    def signer(method, url, headers, body):
        calls.append((method, url, body))
        return {**headers, "Signature": f"signed {url}"}

    fetch_json(f"{server}/hop/1", signer=signer)
    assert [call[1] for call in calls] == [
        f"{server}/hop/1",
        f"{server}/hop/0",
        f"{server}/actor",
    ]
    assert calls[0][0] == "GET"
    assert calls[0][2] == b""
    assert Handler.seen[-1]["Signature"] == f"signed {server}/actor"


def test_follows_up_to_three_redirects(server):
    assert fetch_json(f"{server}/hop/2") == ACTOR
    with pytest.raises(FetchError, match="redirects"):
        fetch_json(f"{server}/hop/3")


def test_redirect_targets_are_checked_again(server):
    with pytest.raises(UnsafeURL):
        fetch_json(f"{server}/to-file")


def test_size_is_capped(server):
    with pytest.raises(TooLarge):
        fetch_json(f"{server}/big")
    with pytest.raises(TooLarge):
        fetch_json(f"{server}/big-chunked")


@pytest.mark.parametrize("path", ["/html", "/list", "/broken"])
def test_only_json_objects_are_accepted(server, path):
    with pytest.raises(NotJSON):
        fetch_json(f"{server}{path}")


def test_error_statuses_raise(server):
    with pytest.raises(FetchError) as error:
        fetch_json(f"{server}/missing")
    assert error.value.status == 404


def test_nothing_listening_raises(settings):
    settings.FEDERATION_ALLOW_PRIVATE_ADDRESSES = True
    with pytest.raises(FetchError, match="Could not fetch"):
        fetch_json("http://127.0.0.1:9/actor", timeout=2)

"""A remote server for tests, played by a local HTTP server on 127.0.0.1 (reachable
because the test-only FEDERATION_ALLOW_PRIVATE_ADDRESSES is on): one actor, bo, whose
documents it serves along with any in `documents`, and the POSTs it got. Its key is made
here, so activities it "sends" (post_activity) are genuinely signed."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fireside.federation.keys import generate_pem_pair
from fireside.federation.signatures import sign_request
from fireside.federation.tests.conftest import DOMAIN

ACTIVITY = "application/activity+json"


class Remote:
    """The other server: one actor, bo, whose documents it serves, and what it got."""

    def __init__(self, base):
        self.base = base
        self.public_pem, self.private_pem = generate_pem_pair()
        self.gets = []
        self.posts = []
        self.post_status = 202
        #: More documents to serve, by path (objects to refetch, WebFinger answers...).
        #: The path is matched as sent, query string included.
        self.documents = {}
        #: The Content-Type of a document in `documents`, by path, when it is not
        #: activity+json (e.g. application/jrd+json for WebFinger).
        self.content_types = {}
        #: More fields of bo's actor document (e.g. "published", "name", "url").
        self.profile = {}

    @property
    def actor(self):
        return f"{self.base}/users/bo"

    @property
    def key_id(self):
        return f"{self.actor}#main-key"

    def document(self):
        return {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": self.actor,
            "type": "Person",
            "preferredUsername": "bo",
            "inbox": f"{self.actor}/inbox",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.actor,
                "publicKeyPem": self.public_pem,
            },
            **self.profile,
        }

    @property
    def host(self):
        """host:port, as a handle on this server names it (bo@host)."""
        return self.base.removeprefix("http://")


def _handler(remote):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def _send(self, status, body=b"", content_type=ACTIVITY):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            remote.gets.append(self.path)
            if self.path == "/users/bo":
                self._send(200, json.dumps(remote.document()).encode())
            elif self.path in remote.documents:
                self._send(
                    200,
                    json.dumps(remote.documents[self.path]).encode(),
                    remote.content_types.get(self.path, ACTIVITY),
                )
            else:
                self._send(404, b"{}")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            remote.posts.append((self.path, dict(self.headers), body))
            self._send(remote.post_status)

    return Handler


@pytest.fixture
def remote(federation):
    federation.FEDERATION_ALLOW_PRIVATE_ADDRESSES = True
    federation.ALLOWED_HOSTS = [DOMAIN, "testserver"]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), None)
    server = Remote(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = _handler(server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def post_activity(
    client, remote, activity, *, path="/inbox", private_pem=None, body=None
):
    """POST ACTIVITY to our inbox at PATH as REMOTE's bo, signed (with PRIVATE_PEM
    instead of bo's key, or sending BODY instead of what was signed, to tamper)."""
    signed_body = json.dumps(activity).encode()
    headers = sign_request(
        "POST",
        f"https://{DOMAIN}{path}",
        {"Content-Type": ACTIVITY},
        signed_body,
        key_id=remote.key_id,
        private_key_pem=private_pem or remote.private_pem,
    )
    headers.pop("Content-Type")
    return client.post(
        path,
        data=body if body is not None else signed_body,
        content_type=ACTIVITY,
        headers=headers,
    )

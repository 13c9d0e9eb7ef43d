"""Real servers for the federation suite: Fireside instances served by uvicorn over HTTPS
on their own loopback addresses (127.0.0.2, 127.0.0.3), each with its own SQLite database,
and bovine-herd (hypercorn, HTTPS, 127.0.0.4) in a venv of its own. Every process trusts
only the suite's throw-away CA (SSL_CERT_FILE). Members and tokens are made by
`manage.py shell` in the instance's own environment, as an operator would.

The test process talks to them with `https()` (the CA, no proxy) and signs as a remote
server would with `signed_post` / `signed_get` (fireside.federation.signatures, the
draft-cavage form every fediverse server verifies)."""

import json
import os
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from fireside.federation.signatures import sign_request
from tests.federation.pki import Pki
from tests.server.launch import server_env

START_SECONDS = 60
WAIT_SECONDS = 15
ACTIVITY = "application/activity+json"
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def free_port(address: str) -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Client:
    """HTTPS to the suite's servers, trusting the test CA only, through no proxy."""

    def __init__(self, ca_file: Path) -> None:
        context = ssl.create_default_context(cafile=str(ca_file))
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=context),
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = WAIT_SECONDS,
    ) -> Answer:
        request = urllib.request.Request(
            url, data=body, headers=dict(headers or {}), method=method
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(
                    response.status, dict(response.headers.items()), response.read()
                )
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, dict(error.headers.items()), error.read())

    def signed_post(
        self,
        url: str,
        activity: dict[str, Any] | bytes,
        *,
        key_id: str,
        private_pem: str,
        sent_body: bytes | None = None,
        target_url: str | None = None,
        content_type: str = ACTIVITY,
    ) -> Answer:
        """POST ACTIVITY to URL signed with PRIVATE_PEM under KEY_ID. SENT_BODY replaces
        the body after signing (a tampered body); TARGET_URL is sent to instead of URL
        with the signature still made for URL (a different path)."""
        body = (
            activity
            if isinstance(activity, bytes)
            else json.dumps(activity).encode("utf-8")
        )
        headers = sign_request(
            "POST",
            url,
            {"Content-Type": content_type, "Accept": ACTIVITY},
            body,
            key_id=key_id,
            private_key_pem=private_pem,
        )
        headers.pop("Host", None)  # urllib sends the same Host itself
        return self.request(
            "POST",
            target_url or url,
            body=body if sent_body is None else sent_body,
            headers=headers,
        )

    def signed_get(self, url: str, *, key_id: str, private_pem: str) -> Answer:
        headers = sign_request(
            "GET",
            url,
            {"Accept": ACTIVITY},
            None,
            key_id=key_id,
            private_key_pem=private_pem,
        )
        headers.pop("Host", None)
        return self.request("GET", url, headers=headers)


def wait_until(check: Any, what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Poll CHECK until it returns something truthy; fail naming WHAT after SECONDS."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds} s for {what}.")
        time.sleep(0.2)


class Process:
    """A server subprocess with its log; started, waited for, stopped."""

    name = "server"

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def log(self) -> str:
        return (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )

    def popen(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_until_answering(self, client: Client, url: str) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                client.request("GET", url, timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError):
                time.sleep(0.2)
        raise AssertionError(
            f"{self.name} did not answer in {START_SECONDS} s:\n{self.log()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=WAIT_SECONDS)


class Fireside(Process):
    """One Fireside instance: https://ADDRESS:PORT, federation on, its own SQLite file,
    tasks run inline (a delivery is attempted inside the request that made it)."""

    def __init__(self, name: str, address: str, pki: Pki, directory: Path) -> None:
        super().__init__(directory / f"federation-{name}.log")
        self.name = f"Fireside {name} ({address})"
        self.address = address
        self.port = free_port(address)
        self.domain = f"{address}:{self.port}"
        self.base = f"https://{self.domain}"
        self.pki = pki
        self.var_dir = directory / f"var-{name}"
        self.var_dir.mkdir()
        self.env = server_env(self.var_dir)
        for variable in PROXY_VARIABLES:
            self.env.pop(variable, None)
        self.env.update(
            FIRESIDE_DOMAIN=self.domain,
            SITE_URL=self.base,
            ALLOWED_HOSTS=f"{address},127.0.0.1",
            FEDERATION_ALLOW_PRIVATE_ADDRESSES="true",
            SSL_CERT_FILE=str(pki.ca_file),
            PORT=str(self.port),
        )
        self.env.pop("SSL_CERT_DIR", None)

    @property
    def database(self) -> Path:
        return self.var_dir / "fireside.sqlite3"

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            timeout=timeout,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"manage.py {args[0]} on {self.name} failed:\n{done.stdout}\n{done.stderr}"
            )
        return done.stdout

    def migrate(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def shell(self, script: str) -> Any:
        """Run SCRIPT in `manage.py shell` here; its last line of output, as JSON."""
        output = self.manage("shell", "-c", script, timeout=120)
        lines = output.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def start(self, client: Client) -> None:
        self.popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "fireside.asgi:application",
                "--host",
                self.address,
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--ssl-certfile",
                str(self.pki.cert_file),
                "--ssl-keyfile",
                str(self.pki.key_file),
            ],
            self.env,
            settings.BASE_DIR,
        )
        self.wait_until_answering(client, f"{self.base}/.well-known/nodeinfo")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read this instance's database file directly (what is stored, whatever the API
        shows)."""
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def api(
        self,
        method: str,
        path: str,
        client: Client,
        *,
        token: str,
        body: dict[str, Any] | None = None,
    ) -> Answer:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return client.request(
            method, f"{self.base}/api/v1/{path}", body=data, headers=headers
        )

    def actor_url(self, handle: str) -> str:
        return f"{self.base}/@{handle}/"

    def public_key(self, handle: str) -> str:
        rows = self.query(
            "SELECT k.public_pem FROM federation_actorkey k"
            " JOIN accounts_member m ON m.id = k.member_id WHERE m.handle = ?",
            handle,
        )
        return str(rows[0][0])

    def inbound(self, activity_id: str) -> list[tuple[Any, ...]]:
        """The stored inbound activities (type, state) whose id is ACTIVITY_ID."""
        return self.query(
            "SELECT activity_type, state FROM federation_inboundactivity"
            " WHERE json_extract(raw, '$.id') = ?",
            activity_id,
        )

    def private_key(self, handle: str | None) -> tuple[str, str]:
        """(key id, private PEM) of HANDLE's actor here, or of the instance actor."""
        if handle is None:
            rows = self.query(
                "SELECT private_pem FROM federation_actorkey"
                " WHERE member_id IS NULL AND community_id IS NULL"
            )
            return f"{self.base}/actor#main-key", rows[0][0]
        rows = self.query(
            "SELECT k.private_pem FROM federation_actorkey k"
            " JOIN accounts_member m ON m.id = k.member_id WHERE m.handle = ?",
            handle,
        )
        return f"{self.actor_url(handle)}#main-key", rows[0][0]


class Bovine(Process):
    """bovine-herd over HTTPS on ADDRESS, with one registered actor, HANDLE."""

    def __init__(
        self, python: Path, address: str, pki: Pki, directory: Path, handle: str
    ) -> None:
        super().__init__(directory / "federation-bovine.log")
        self.name = f"bovine-herd ({address})"
        self.python = python
        self.address = address
        self.port = free_port(address)
        self.domain = f"{address}:{self.port}"
        self.base = f"https://{self.domain}"
        self.pki = pki
        self.handle = handle
        self.directory = directory / "bovine"
        self.directory.mkdir()
        self.database = self.directory / "bovine.sqlite3"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in PROXY_VARIABLES and key != "SSL_CERT_DIR"
        }
        self.env["SSL_CERT_FILE"] = str(pki.ca_file)

    def _bovine_store(self, *args: str) -> None:
        subprocess.run(
            [
                str(self.python),
                "-m",
                "bovine_store",
                "--db_url",
                f"sqlite://{self.database}",
                *args,
            ],
            cwd=self.directory,
            env=self.env,
            check=True,
            timeout=120,
            capture_output=True,
        )

    def start(self, client: Client) -> None:
        self._bovine_store("create")
        self._bovine_store("register", "--domain", self.domain, "--handle", self.handle)
        self.popen(
            [
                str(self.python),
                str(Path(__file__).with_name("bovine_app.py")),
                self.address,
                str(self.port),
                str(self.database),
                str(self.pki.cert_file),
                str(self.pki.key_file),
            ],
            self.env,
            self.directory,
        )
        self.wait_until_answering(client, f"{self.base}/.well-known/nodeinfo")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def endpoint(self, kind: str) -> str:
        """The URL of the actor's ACTOR, INBOX, OUTBOX, PROXY_URL... endpoint."""
        rows = self.query(
            "SELECT name FROM bovineactorendpoint WHERE endpoint_type = ?", kind
        )
        return str(rows[0][0])

    @property
    def actor(self) -> str:
        return self.endpoint("ACTOR")

    @property
    def key_id(self) -> str:
        return f"{self.actor}#serverKey"

    def private_key(self) -> str:
        rows = self.query(
            "SELECT private_key FROM bovineactorkeypair WHERE name = 'serverKey'"
        )
        return str(rows[0][0])

    def stored_objects(self) -> list[dict[str, Any]]:
        """Every JSON object bovine stored (what its inbox accepted, among others)."""
        return [
            json.loads(row[0])
            for row in self.query("SELECT content FROM storedjsonobject")
        ]

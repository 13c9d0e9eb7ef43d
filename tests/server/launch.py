"""Real Fireside processes for the server tests: uvicorn started as a subprocess on a
database of its own, and the members and conversations it serves created in another
subprocess (`manage.py shell`), as an operator would. Every wait polls against a deadline."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

START_SECONDS = 60
MIGRATE_SECONDS = 300
WAIT_SECONDS = 10

# No proxy from the environment may stand between the tests and the loopback server.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _with_database(url, name):
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class ThrowawayPostgres:
    """A database of its own on the PostgreSQL server the test run uses."""

    def __init__(self, url):
        self.url = url
        self.name = f"fireside_srv_{uuid.uuid4().hex[:12]}"

    def _run(self, statement):
        import psycopg

        with psycopg.connect(
            _with_database(self.url, "postgres"), autocommit=True
        ) as admin:
            admin.execute(statement)

    def create(self):
        self._run(f'CREATE DATABASE "{self.name}"')
        return _with_database(self.url, self.name)

    def drop(self):
        self._run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def server_env(var_dir, *, database_url="", redis_url="", channels_prefix=""):
    """The environment of a server process: DEBUG (loopback is exempt from per-address
    limits), its own var dir, and exactly the database and Redis given."""
    env = dict(os.environ)
    # The browser tests' escape hatch must not reach a real server process.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DEBUG="true",
        FIRESIDE_VAR_DIR=str(var_dir),
        # Set even when empty, so that a developer's .env cannot switch them on.
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CHANNELS_PREFIX=channels_prefix,
        TASKS_IMMEDIATE="true",
    )
    return env


def manage(env, *args, timeout=MIGRATE_SECONDS):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=timeout,
        capture_output=True,
        text=True,
    ).stdout


def migrate(env):
    manage(env, "migrate", "--no-input", "-v", "0")


_PAIR_SCRIPT = """
import json
from fireside.accounts.actions import issue_api_token
from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions
from fireside.conversations.tests.factories import share_community

tag = {tag!r}
alice = MemberFactory(handle="alice_" + tag)
bob = MemberFactory(handle="bob_" + tag)
share_community(alice, bob)
conversation = actions.request_conversation(by=alice, to=bob, message="Hello")
actions.accept_conversation(conversation, by=bob)
print(json.dumps({{
    "conversation": conversation.pk,
    "alice": {{"handle": alice.handle, "token": issue_api_token(alice, name="t")[1]}},
    "bob": {{"handle": bob.handle, "token": issue_api_token(bob, name="t")[1]}},
}}))
"""


def create_talking_pair(env):
    """Two members sharing a community and an active conversation (seq 1 is the request's
    opening message). Returns {"conversation", "alice": {handle, token}, "bob": {...}}."""
    tag = uuid.uuid4().hex[:8]
    output = manage(env, "shell", "-c", _PAIR_SCRIPT.format(tag=tag), timeout=120)
    return json.loads(output.strip().splitlines()[-1])


class Uvicorn:
    """One uvicorn process serving fireside.asgi on a fixed port."""

    def __init__(self, env, port, log_path: Path):
        self.env = env
        self.port = port
        self.log_path = log_path
        self.process = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}/ws/"

    def start(self):
        env = {**self.env, "PORT": str(self.port), "SITE_URL": self.base_url}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "fireside.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--lifespan",
                    "off",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_until_answering()
        return self

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_until_answering(self):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"uvicorn exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                with opener.open(self.base_url + "/", timeout=2) as response:
                    response.read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise AssertionError(
            f"uvicorn did not answer in {START_SECONDS} s:\n{self.log()}"
        )

    def kill(self):
        """SIGKILL: no shutdown, no flush, exactly what a crash looks like."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT_SECONDS)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=WAIT_SECONDS)


def api(base_url, method, path, body=None, token=None, timeout=WAIT_SECONDS):
    """Return (status, JSON body or None); 4xx and 5xx answers are returned too. Network
    failures (refused, reset, timed out) are raised as OSError."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{base_url}/api/v1/{path}", data=data, headers=headers, method=method
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            status, content = response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            status, content = error.code, error.read()
    try:
        return status, json.loads(content) if content else None
    except ValueError:
        return status, None

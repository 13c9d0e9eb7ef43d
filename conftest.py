"""Personas and shared fixtures. alice is a member, bob will moderate (cohorts come later),
charlie is an outsider. Every persona's password is factories.PASSWORD."""

import asyncio
import os
import threading
import time

import pytest
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.test import Client, TestCase
from hypothesis import settings as hypothesis_settings

from fireside.accounts.tests.factories import PASSWORD, MemberFactory

hypothesis_settings.register_profile(
    "fireside",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "100")),
    deadline=None,
)
hypothesis_settings.load_profile("fireside")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


class CommittingClient(Client):
    """A test client whose requests behave as if their transaction committed: the callbacks
    registered with on_commit (mail, live events) run when the response is ready, as they
    would in production, although the test's own transaction is rolled back afterwards."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return CommittingClient()


class LiveEvents:
    """A channel on the real channel layer (in-process, or Redis on the CI's PostgreSQL
    run) added to members' live groups, as their sockets would be: what the code under
    test publishes is read back from the layer, never intercepted before it. The channel
    lives on an event loop of its own (Redis pub/sub channels belong to one loop), run in
    a thread for the test's lifetime."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.layer = get_channel_layer()
        self.channel = self._run(self.layer.new_channel())
        self.groups: list[str] = []

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def listen(self, member) -> None:
        from fireside.live.groups import member_group

        group = member_group(member.pk)
        self._run(self.layer.group_add(group, self.channel))
        self.groups.append(group)

    def received(self, wait: float = 0.3) -> list[dict]:
        """Every event that arrived so far (waiting WAIT seconds for stragglers)."""

        async def drain():
            found = []
            while True:
                try:
                    found.append(
                        await asyncio.wait_for(self.layer.receive(self.channel), wait)
                    )
                except TimeoutError:
                    return found

        return self._run(drain())

    def close(self) -> None:
        for group in self.groups:
            self._run(self.layer.group_discard(group, self.channel))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def live_events():
    events = LiveEvents()
    yield events
    events.close()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    return MemberFactory(handle="alice", display_name="Alice Ames")


@pytest.fixture
def bob(db):
    return MemberFactory(handle="bob", display_name="Bob Brandt")


@pytest.fixture
def charlie(db):
    return MemberFactory(handle="charlie", display_name="Charlie Chen")


@pytest.fixture
def api_client(client, db):
    """The Django test client speaking JSON to /api/v1/."""

    class ApiClient:
        def __init__(self, token=None):
            self.token = token

        def _headers(self, headers):
            headers = dict(headers or {})
            if self.token:
                headers.setdefault("Authorization", f"Bearer {self.token}")
            return headers

        def request(self, method, path, json=None, headers=None):
            call = getattr(client, method)
            kwargs = {"headers": self._headers(headers)}
            if json is not None:
                kwargs["data"] = json
                kwargs["content_type"] = "application/json"
            return call(f"/api/v1/{path.lstrip('/')}", **kwargs)

        def get(self, path, **kwargs):
            return self.request("get", path, **kwargs)

        def post(self, path, json=None, **kwargs):
            return self.request(
                "post", path, json=json if json is not None else {}, **kwargs
            )

        def patch(self, path, json=None, **kwargs):
            return self.request("patch", path, json=json, **kwargs)

        def delete(self, path, **kwargs):
            return self.request("delete", path, **kwargs)

        def as_member(self, member):
            from fireside.accounts.actions import issue_api_token

            _, secret = issue_api_token(member, name="tests")
            return ApiClient(secret)

    return ApiClient()


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Put a fast hasher first: Argon2 costs about 0.4 s a hash on these machines, and the
    suite hashes thousands of times. Argon2 stays in the list, so its hashes still check;
    tests of the real hasher are marked `argon2` and keep it first."""
    if request.node.get_closest_marker("argon2"):
        return
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture
def clock(monkeypatch):
    """Shift the wall clock so the test starts one second into an hour. Every rate-limit
    window (they divide an hour) is then fresh, and none ends during the test unless it
    calls clock.advance(seconds)."""
    hour = 60 * 60
    real_time = time.time
    shift = hour - real_time() % hour + 1

    class Clock:
        def advance(self, seconds):
            nonlocal shift
            shift += seconds

    monkeypatch.setattr(time, "time", lambda: real_time() + shift)
    return Clock()


@pytest.fixture(autouse=True)
def _generous_level_limits(request, settings):
    """Lift the per-level limits (fireside/trust/limits.py) so fixtures can build busy
    places through the actions. Tests of the limits ask for `real_level_limits`."""
    if "real_level_limits" in request.fixturenames:
        return
    settings.FIRESIDE_LEVEL_LIMITS = {
        action: {**entry, "by_level": {0: 10_000}}
        for action, entry in settings.FIRESIDE_LEVEL_LIMITS.items()
    }


@pytest.fixture
def real_level_limits():
    """The per-level limits from settings, as production has them."""

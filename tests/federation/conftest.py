"""The federation suite's servers, started once per session: Fireside A (127.0.0.2) with
members ada and grace, Fireside B (127.0.0.3) with member bob, and bovine-herd (127.0.0.4)
with actor milena, all over HTTPS under a throw-away CA (Linux routes all of 127/8 to the
loopback interface, so each server has an address of its own). Their logs are copied to
var/ci/federation-*.log when a test failed."""

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.federation.harness import Bovine, Client, Fireside
from tests.federation.pki import make_pki

A_ADDRESS, B_ADDRESS, BOVINE_ADDRESS = "127.0.0.2", "127.0.0.3", "127.0.0.4"

#: Every member takes requests from anyone (the default, a shared community, can never
#: hold for someone on another server) and gets an API token. ada and grace share a
#: community and an active conversation (for a dialogue); ada takes remote follows
#: without approval.
_MEMBERS_SCRIPT = """
import json
from fireside.accounts.actions import issue_api_token
from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions
from fireside.conversations.tests.factories import share_community
from fireside.federation.actions import set_approve_follows
from fireside.federation.keys import key_for

handles = {handles!r}
members = {{
    h: MemberFactory(handle=h, display_name=h.title(), who_may_ask="anyone")
    for h in handles
}}
key_for(None)
out = {{"tokens": {{}}}}
for handle, member in members.items():
    key_for(member)
    out["tokens"][handle] = issue_api_token(member, name="federation suite")[1]
if "ada" in members:
    set_approve_follows(members["ada"], False)
if "grace" in members:
    ada, grace = members["ada"], members["grace"]
    community = share_community(ada, grace)
    conversation = actions.request_conversation(
        by=ada, to=grace, message="Shall we talk about winter bread?"
    )
    actions.accept_conversation(conversation, by=grace)
    actions.send_message(conversation, by=grace, body="Rye, always rye.")
    out["community"] = community.slug
    out["conversation"] = conversation.pk
print(json.dumps(out))
"""


def _bovine_python() -> Path:
    configured = os.environ.get("FIRESIDE_BOVINE_PYTHON")
    python = (
        Path(configured)
        if configured
        else settings.BASE_DIR / "var" / "bovine-venv" / "bin" / "python"
    )
    if not python.exists():
        pytest.fail(
            f"bovine-herd's Python is missing ({python}); `make test-federation` makes "
            "its venv from tests/federation/bovine-requirements.txt."
        )
    return python


class Servers:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.pki = make_pki(directory, [A_ADDRESS, B_ADDRESS, BOVINE_ADDRESS])
        self.client = Client(self.pki.ca_file)
        self.a = Fireside("a", A_ADDRESS, self.pki, directory)
        self.b = Fireside("b", B_ADDRESS, self.pki, directory)
        self.bovine = Bovine(
            _bovine_python(), BOVINE_ADDRESS, self.pki, directory, "milena"
        )
        self.tokens: dict[str, str] = {}
        self.community = ""
        self.conversation = 0
        self.timings: dict[str, float] = {}

    @property
    def processes(self) -> list:
        return [self.a, self.b, self.bovine]

    def start(self) -> None:
        began = time.monotonic()
        migrations = [(server, server.migrate()) for server in (self.a, self.b)]
        self.bovine.start(self.client)
        for server, migration in migrations:
            if migration.wait(timeout=300) != 0:
                raise AssertionError(
                    f"migrate failed on {server.name}:\n{server.log()}"
                )
        self.timings["migrate"] = time.monotonic() - began
        a = self.a.shell(_MEMBERS_SCRIPT.format(handles=["ada", "grace"]))
        b = self.b.shell(_MEMBERS_SCRIPT.format(handles=["bob"]))
        self.tokens = {**a["tokens"], **b["tokens"]}
        self.community = a["community"]
        self.conversation = a["conversation"]
        for server in (self.a, self.b):
            server.start(self.client)
        self.timings["ready"] = time.monotonic() - began

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    def save_logs(self) -> None:
        target = settings.BASE_DIR / "var" / "ci"
        target.mkdir(parents=True, exist_ok=True)
        for process in self.processes:
            if process.log_path.exists():
                shutil.copy(process.log_path, target / process.log_path.name)


_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.session.stash[_failed] = True
    return report


@pytest.fixture(scope="session")
def servers(request, tmp_path_factory):
    servers = Servers(tmp_path_factory.mktemp("federation"))
    try:
        servers.start()
        yield servers
    except BaseException:
        request.session.stash[_failed] = True
        raise
    finally:
        servers.stop()
        if request.session.stash.get(_failed, False):
            servers.save_logs()
            print(
                "\nFederation logs saved to var/ci/federation-*.log; timings:",
                json.dumps(servers.timings),
            )

"""Finding people across servers: @ada@A resolves by WebFinger from Fireside B (its own
resolver, in its own process) and from bovine-herd, and the actor each gets carries the
key ada's server really signs with. bovine refuses an unsigned fetch of its actor and
takes ours, signed by A's instance actor."""

import json
import uuid
from urllib.parse import urlencode

import pytest

from tests.federation.harness import ACTIVITY

pytestmark = pytest.mark.federation

_RESOLVE_SCRIPT = """
import json
from fireside.federation.resolve import resolve_handle
member = resolve_handle({handle!r})
actor = member.remote_actor
print(json.dumps({{
    "actor_id": actor.actor_id,
    "key_id": actor.key_id,
    "public_key_pem": actor.public_key_pem,
    "inbox": actor.inbox,
}}))
"""

_FETCH_SCRIPT = """
import json
from fireside.federation.remote import fetch_actor
actor = fetch_actor({url!r})
print(json.dumps(None if actor is None else {{
    "actor_id": actor.actor_id, "key_id": actor.key_id, "inbox": actor.inbox,
}}))
"""


def _key_of(actor: dict) -> tuple[str, str]:
    """(id, PEM) of the key in ACTOR as bovine hands it back. bovine compacts documents
    against its own context; without the network (CI has none) it cannot load the
    security context, so `publicKey` may come back under a blank-node name."""
    for value in [actor.get("publicKey"), *actor.values()]:
        if isinstance(value, dict):
            pems = [v for v in value.values() if "BEGIN PUBLIC KEY" in str(v)]
            if pems and isinstance(value.get("id"), str):
                return value["id"], pems[0]
    raise AssertionError(f"No public key in {json.dumps(actor)}")


def _same_key(first: str, second: str) -> bool:
    return "".join(first.split()) == "".join(second.split())


def test_member_resolves_from_the_second_instance(servers):
    a, b = servers.a, servers.b
    found = b.shell(_RESOLVE_SCRIPT.format(handle=f"@ada@{a.domain}"))

    assert found["actor_id"] == a.actor_url("ada")
    assert found["inbox"] == f"{a.base}/@ada/inbox"
    assert found["key_id"] == f"{a.actor_url('ada')}#main-key"
    assert _same_key(found["public_key_pem"], a.public_key("ada"))


def test_the_key_in_a_members_actor_verifies_their_signatures_elsewhere(servers):
    a, b, client = servers.a, servers.b, servers.client
    # Signed with the key A holds for ada; B fetches ada's actor for the key (or uses
    # the one it has) and verifies.
    key_id, private_pem = a.private_key("ada")
    activity_id = f"{a.actor_url('ada')}#likes/{uuid.uuid4().hex}"
    answer = client.signed_post(
        f"{b.base}/inbox",
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": activity_id,
            "type": "Like",
            "actor": a.actor_url("ada"),
            "object": f"{b.base}/nothing-in-particular",
        },
        key_id=key_id,
        private_pem=private_pem,
    )
    assert answer.status == 202, answer.body
    assert len(b.inbound(activity_id)) == 1
    [(pem,)] = b.query(
        "SELECT public_key_pem FROM federation_remoteactor WHERE actor_id = ?",
        a.actor_url("ada"),
    )
    assert _same_key(pem, a.public_key("ada"))


def test_member_resolves_from_bovine(servers):
    a, bovine, client = servers.a, servers.bovine, servers.client
    # bovine's proxyUrl endpoint: its actor asks bovine to look the account up by
    # WebFinger and fetch the actor (a fetch bovine signs itself).
    form = urlencode({"id": f"acct:ada@{a.domain}"}).encode()
    answer = client.signed_post(
        bovine.endpoint("PROXY_URL"),
        form,
        key_id=bovine.key_id,
        private_pem=bovine.private_key(),
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status == 200, answer.body
    actor = answer.json()
    assert actor["id"] == a.actor_url("ada")
    assert actor["inbox"] == f"{a.base}/@ada/inbox"
    key_id, pem = _key_of(actor)
    assert key_id == f"{a.actor_url('ada')}#main-key"
    assert _same_key(pem, a.public_key("ada"))


def test_bovine_refuses_an_unsigned_fetch_and_takes_our_signed_one(servers):
    a, bovine, client = servers.a, servers.bovine, servers.client
    unsigned = client.request("GET", bovine.actor, headers={"Accept": ACTIVITY})
    assert unsigned.status == 401

    fetched = a.shell(_FETCH_SCRIPT.format(url=bovine.actor))
    assert fetched is not None, "A's signed fetch of bovine's actor was refused"
    assert fetched["actor_id"] == bovine.actor
    assert fetched["key_id"] == bovine.key_id
    assert json.dumps(fetched["inbox"]).startswith(f'"{bovine.base}/')

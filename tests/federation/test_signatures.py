"""Signatures between real servers. A tampered body, a signature made with the wrong key
or none at all is refused with 401 and stored nowhere, by Fireside and by bovine-herd; a
correctly signed activity from the same actor is taken, so the refusals are the
signature's doing. A signature over a percent-encoded path or a query string verifies
against the bytes sent (uvicorn's raw path), not a decoded path."""

import json
import uuid

import pytest

from fireside.federation.keys import generate_pem_pair
from tests.federation.harness import wait_until

pytestmark = pytest.mark.federation


def _like(actor: str, target: str) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#likes/{uuid.uuid4().hex}",
        "type": "Like",
        "actor": actor,
        "object": target,
    }


def _direct_note(actor: str, to: str, text: str) -> dict:
    note_id = f"{actor}#notes/{uuid.uuid4().hex}"
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": actor,
        "to": [to],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor,
            "to": [to],
            "content": f"<p>{text}</p>",
            "tag": [{"type": "Mention", "href": to}],
        },
    }


def test_we_refuse_a_tampered_body_and_a_wrong_key(servers):
    a, bovine, client = servers.a, servers.bovine, servers.client
    inbox = f"{a.base}/@ada/inbox"
    key = {"key_id": bovine.key_id, "private_pem": bovine.private_key()}

    taken = _like(bovine.actor, a.actor_url("ada"))
    answer = client.signed_post(inbox, taken, **key)
    assert answer.status == 202, answer.body
    assert len(a.inbound(taken["id"])) == 1

    note = _direct_note(bovine.actor, a.actor_url("ada"), "Signed, then changed.")
    tampered = dict(note, id=f"{note['id']}-tampered")
    answer = client.signed_post(
        inbox,
        tampered,
        **key,
        sent_body=json.dumps(
            dict(tampered, object=dict(note["object"], content="<p>Changed.</p>"))
        ).encode(),
    )
    assert answer.status == 401, answer.body
    assert answer.json()["code"] == "bad_digest"

    wrong = dict(note, id=f"{note['id']}-wrong-key")
    _public, stranger_pem = generate_pem_pair()
    answer = client.signed_post(
        inbox, wrong, key_id=bovine.key_id, private_pem=stranger_pem
    )
    assert answer.status == 401, answer.body
    assert answer.json()["code"] == "bad_signature"

    unsigned = dict(note, id=f"{note['id']}-unsigned")
    answer = client.request(
        "POST",
        inbox,
        body=json.dumps(unsigned).encode(),
        headers={"Content-Type": "application/activity+json"},
    )
    assert answer.status == 401, answer.body
    assert answer.json()["code"] == "missing_signature"

    for refused in (tampered, wrong, unsigned):
        assert a.inbound(refused["id"]) == []
        assert a.query(
            "SELECT count(*) FROM conversations_message WHERE body LIKE ?",
            "%changed%",
        ) == [(0,)]
    # No request from milena reached ada (nor any stand-in for her made here).
    ada = a.api(
        "GET", "conversations?state=requested", client, token=servers.tokens["ada"]
    )
    assert ada.status == 200
    assert bovine.domain not in json.dumps(ada.json()["items"])
    assert a.query(
        "SELECT count(*) FROM accounts_member WHERE handle LIKE ?",
        f"%@{bovine.domain}",
    ) == [(0,)]


def test_bovine_refuses_a_tampered_body_and_a_wrong_key(servers):
    a, bovine, client = servers.a, servers.bovine, servers.client
    inbox = bovine.endpoint("INBOX")
    key_id, private_pem = a.private_key("ada")
    ada = a.actor_url("ada")

    taken = _like(ada, bovine.actor)
    answer = client.signed_post(inbox, taken, key_id=key_id, private_pem=private_pem)
    assert answer.status == 202, answer.body

    tampered = _like(ada, bovine.actor)
    answer = client.signed_post(
        inbox,
        tampered,
        key_id=key_id,
        private_pem=private_pem,
        sent_body=json.dumps(dict(tampered, object=f"{bovine.actor}#else")).encode(),
    )
    assert answer.status == 401, answer.body

    wrong = _like(ada, bovine.actor)
    _public, stranger_pem = generate_pem_pair()
    answer = client.signed_post(inbox, wrong, key_id=key_id, private_pem=stranger_pem)
    assert answer.status == 401, answer.body

    unsigned = _like(ada, bovine.actor)
    answer = client.request(
        "POST",
        inbox,
        body=json.dumps(unsigned).encode(),
        headers={"Content-Type": "application/activity+json"},
    )
    assert answer.status == 401, answer.body

    # bovine processes its inbox in the background: the activity it took is stored...
    wait_until(
        lambda: any(o.get("id") == taken["id"] for o in bovine.stored_objects()),
        "bovine to store the activity it accepted",
    )
    # ...and the refused ones are not.
    stored = {o.get("id") for o in bovine.stored_objects()}
    assert tampered["id"] not in stored
    assert wrong["id"] not in stored
    assert unsigned["id"] not in stored


@pytest.mark.parametrize(
    ("path", "signed_path", "status"),
    [
        ("/%40ada/inbox", "/%40ada/inbox", 202),
        (
            "/@ada/inbox?via=federation%20suite",
            "/@ada/inbox?via=federation%20suite",
            202,
        ),
        ("/%40ada/inbox", "/@ada/inbox", 401),
        ("/@ada/inbox?via=one", "/@ada/inbox?via=other", 401),
    ],
    ids=["percent-encoded", "query", "decoded-is-not-what-was-sent", "other-query"],
)
def test_signatures_cover_the_raw_path_and_query(servers, path, signed_path, status):
    a, bovine, client = servers.a, servers.bovine, servers.client
    like = _like(bovine.actor, a.actor_url("ada"))
    answer = client.signed_post(
        f"{a.base}{signed_path}",
        like,
        key_id=bovine.key_id,
        private_pem=bovine.private_key(),
        target_url=f"{a.base}{path}",
    )
    assert answer.status == status, answer.body
    assert len(a.inbound(like["id"])) == (1 if status == 202 else 0)

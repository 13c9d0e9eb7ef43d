"""What members see across servers. ada on A asks bob on B by his remote handle; bob gets a
request with its signals (one says it comes from another server); once he accepts,
replies travel both ways. A direct message signed with the wrong key is refused with 401
and makes no conversation. milena on bovine-herd follows ada (bovine sends the Follow
itself) and receives the dialogue ada and grace then publish, as Create{Article}."""

import uuid

import pytest

from fireside.federation.keys import generate_pem_pair
from tests.federation.harness import wait_until

pytestmark = pytest.mark.federation


def _client_id() -> str:
    return uuid.uuid4().hex


def _conversations(server, client, token, state):
    answer = server.api("GET", f"conversations?state={state}", client, token=token)
    assert answer.status == 200, answer.body
    return answer.json()["items"]


def _bodies(server, client, token, conversation_id):
    answer = server.api(
        "GET", f"conversations/{conversation_id}/messages", client, token=token
    )
    assert answer.status == 200, answer.body
    return [message["body"] for message in answer.json()]


def test_a_remote_request_is_accepted_and_replies_travel_both_ways(servers):
    a, b, client, tokens = servers.a, servers.b, servers.client, servers.tokens
    answer = a.api(
        "POST",
        "conversations",
        client,
        token=tokens["ada"],
        body={
            "to": f"@bob@{b.domain}",
            "message": "Hello bob, from the other fireside.",
            "client_id": _client_id(),
        },
    )
    assert answer.status == 201, answer.body
    ada_side = answer.json()["id"]

    requests = wait_until(
        lambda: _conversations(b, client, tokens["bob"], "requested"),
        "bob's request from ada to arrive on B",
    )
    assert len(requests) == 1
    request = requests[0]
    codes = {signal["code"] for signal in request.get("signals") or []}
    assert "remote_instance" in codes, request
    bo_side = request["id"]
    assert _bodies(b, client, tokens["bob"], bo_side) == [
        "Hello bob, from the other fireside."
    ]

    answer = b.api(
        "POST", f"conversations/{bo_side}/accept", client, token=tokens["bob"]
    )
    assert answer.status == 200, answer.body
    assert answer.json()["state"] == "active"

    answer = b.api(
        "POST",
        f"conversations/{bo_side}/messages",
        client,
        token=tokens["bob"],
        body={"body": "Hello ada. Warm here.", "client_id": _client_id()},
    )
    assert answer.status in (200, 201), answer.body
    wait_until(
        lambda: "Hello ada. Warm here." in _bodies(a, client, tokens["ada"], ada_side),
        "bob's reply to reach ada on A",
    )

    answer = a.api(
        "POST",
        f"conversations/{ada_side}/messages",
        client,
        token=tokens["ada"],
        body={"body": "Glad to hear it.", "client_id": _client_id()},
    )
    assert answer.status in (200, 201), answer.body
    wait_until(
        lambda: "Glad to hear it." in _bodies(b, client, tokens["bob"], bo_side),
        "ada's reply to reach bob on B",
    )
    assert _bodies(b, client, tokens["bob"], bo_side) == [
        "Hello bob, from the other fireside.",
        "Hello ada. Warm here.",
        "Glad to hear it.",
    ]


def test_a_direct_message_signed_with_the_wrong_key_is_refused_and_stored_nowhere(
    servers,
):
    b, bovine, client, tokens = (
        servers.b,
        servers.bovine,
        servers.client,
        servers.tokens,
    )
    bob = b.actor_url("bob")
    note_id = f"{bovine.actor}#notes/{uuid.uuid4().hex}"
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": bovine.actor,
        "to": [bob],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": bovine.actor,
            "to": [bob],
            "content": "<p>Not really from milena.</p>",
            "tag": [{"type": "Mention", "href": bob}],
        },
    }
    _public, stranger_pem = generate_pem_pair()
    answer = client.signed_post(
        f"{b.base}/@bob/inbox", create, key_id=bovine.key_id, private_pem=stranger_pem
    )
    assert answer.status == 401, answer.body
    assert answer.json()["code"] == "bad_signature"

    assert b.inbound(create["id"]) == []
    assert b.query(
        "SELECT count(*) FROM conversations_message WHERE body LIKE ?",
        "%Not really from milena%",
    ) == [(0,)]
    for state in ("requested", "active"):
        for conversation in _conversations(b, client, tokens["bob"], state):
            assert conversation["with"]["handle"] != f"milena@{bovine.domain}"


def test_a_remote_follower_receives_a_newly_published_dialogue(servers):
    a, bovine, client, tokens = (
        servers.a,
        servers.bovine,
        servers.client,
        servers.tokens,
    )
    ada = a.actor_url("ada")

    # milena follows ada: bovine's own outbox sends the Follow, signed by bovine.
    answer = client.signed_post(
        bovine.endpoint("OUTBOX"),
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "type": "Follow",
            "actor": bovine.actor,
            "object": ada,
            "to": [ada],
        },
        key_id=bovine.key_id,
        private_pem=bovine.private_key(),
    )
    assert answer.status == 201, answer.body
    wait_until(
        lambda: (
            a.query(
                "SELECT f.state FROM federation_follower f"
                " JOIN federation_remoteactor r ON r.id = f.remote_actor_id"
                " JOIN accounts_member m ON m.id = f.member_id"
                " WHERE m.handle = 'ada' AND r.actor_id = ?",
                bovine.actor,
            )
            == [("accepted",)]
        ),
        "A to accept milena's follow of ada",
    )
    # bovine verified ada's signed Accept and now counts ada among milena's following.
    wait_until(
        lambda: bovine.query(
            "SELECT 1 FROM collectionitem WHERE part_of = ? AND object_id = ?",
            bovine.endpoint("FOLLOWING"),
            ada,
        ),
        "bovine to take A's Accept of the follow",
    )

    answer = a.api(
        "POST",
        f"conversations/{servers.conversation}/dialogue",
        client,
        token=tokens["ada"],
        body={"community": servers.community, "title": "Winter bread"},
    )
    assert answer.status == 201, answer.body
    dialogue = answer.json()["id"]
    answer = a.api(
        "POST", f"dialogues/{dialogue}/accept", client, token=tokens["grace"]
    )
    assert answer.status == 200, answer.body

    # bovine stores what its inbox takes with the object split out: the Create names
    # the Article by id, and the Article is stored too.
    def create_article():
        stored = {o.get("id"): o for o in bovine.stored_objects()}
        for item in stored.values():
            inner = item.get("object")
            inner = stored.get(inner) if isinstance(inner, str) else inner
            if (
                item.get("type") == "Create"
                and item.get("actor") == ada
                and isinstance(inner, dict)
                and inner.get("type") == "Article"
            ):
                return inner
        return None

    article = wait_until(create_article, "bovine to receive Create{Article}")
    assert article["name"] == "Winter bread"
    assert "Rye, always rye." in article["content"]
    assert article["attributedTo"] == ada
    # bovine accepted it as delivered to milena: the Create is in her inbox collection.
    assert bovine.query(
        "SELECT 1 FROM collectionitem WHERE part_of = ? AND object_id LIKE ?",
        bovine.endpoint("INBOX"),
        article["id"] + "#create-%",
    )

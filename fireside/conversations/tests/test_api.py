from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Community
from fireside.communities.tests.factories import CommunityFactory
from fireside.conversations import actions
from fireside.conversations import api as conversations_api
from fireside.conversations.models import Conversation, Message
from fireside.conversations.tests.factories import (
    PlainMemberFactory,
    share_community,
)
from fireside.posts.tests.factories import PostFactory
from fireside.safety.actions import block_member
from tests.helpers import all_keys, assert_error

FORBIDDEN_KEY_PARTS = ("count", "follower", "like", "view")


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


@pytest.fixture
def as_bob(api_client, bob):
    return api_client.as_member(bob)


@pytest.fixture
def as_charlie(api_client, charlie):
    return api_client.as_member(charlie)


@pytest.fixture
def neighbours(alice, bob):
    """alice and bob share a community, so bob's default "who may ask" lets alice ask."""
    return share_community(alice, bob)


def _ask(
    client, to="bob", message="Hello Bob, about your post", client_id="r1", **more
):
    return client.post(
        "conversations",
        json={"to": to, "message": message, "client_id": client_id, **more},
    )


@pytest.fixture
def requested(neighbours, alice, bob):
    return actions.request_conversation(
        by=alice, to=bob, message="Hello Bob", client_id="r1"
    )


@pytest.fixture
def active(requested, bob):
    return actions.accept_conversation(requested, by=bob)


def test_conversation_api_request_accept_and_talk_both_ways(
    neighbours, as_alice, as_bob, as_charlie
):
    asked = _ask(as_alice)
    assert asked.status_code == 201, asked.content
    conversation = asked.json()
    assert conversation["state"] == "requested"
    assert conversation["with"]["handle"] == "bob"
    assert "tray" not in conversation  # only the recipient sees the tray
    cid = conversation["id"]

    inbox = as_bob.get("conversations").json()
    assert [item["id"] for item in inbox["items"]] == [cid]
    request = inbox["items"][0]
    assert request["your_turn"] is True
    assert request["unread"] is True
    assert request["tray"] == "requests"
    assert [signal["code"] for signal in request["signals"]] == ["new_account"]
    assert request["expires_at"]

    accepted = as_bob.post(f"conversations/{cid}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "active"
    assert "tray" not in accepted.json()

    from_bob = as_bob.post(
        f"conversations/{cid}/messages", json={"body": "Hi Alice", "client_id": "b1"}
    )
    from_alice = as_alice.post(
        f"conversations/{cid}/messages", json={"body": "Hi *Bob*", "client_id": "a1"}
    )
    repeat = as_alice.post(
        f"conversations/{cid}/messages", json={"body": "Hi *Bob*", "client_id": "a1"}
    )
    assert from_bob.status_code == 201, from_bob.content
    assert from_alice.status_code == 201, from_alice.content
    assert repeat.status_code == 200, repeat.content
    assert repeat.json() == from_alice.json()
    assert from_alice.json()["body_html"].count("<em>Bob</em>") == 1

    for client in (as_alice, as_bob):
        messages = client.get(f"conversations/{cid}/messages").json()
        assert [(m["seq"], m["author"], m["body"]) for m in messages] == [
            (1, "alice", "Hello Bob, about your post"),
            (2, "bob", "Hi Alice"),
            (3, "alice", "Hi *Bob*"),
        ]
        assert {"id", "seq", "author", "body", "sent_at", "client_id"} <= set(
            messages[0]
        )

    for method, path in [
        ("get", f"conversations/{cid}"),
        ("get", f"conversations/{cid}/messages"),
        ("post", f"conversations/{cid}/messages"),
        ("post", f"conversations/{cid}/accept"),
        ("post", f"conversations/{cid}/decline"),
        ("post", f"conversations/{cid}/archive"),
        ("post", f"conversations/{cid}/read"),
        ("patch", f"conversations/{cid}/messages/3"),
        ("delete", f"conversations/{cid}/messages/3"),
    ]:
        body = {"body": "Hey", "client_id": "c1", "seq": 1}
        response = as_charlie.request(method, path, json=body)
        assert_error(response, 404, "not_found")
    assert as_charlie.get("conversations").json()["items"] == []


def test_request_conversation_repeated_client_id_answers_200_with_the_first(
    neighbours, as_alice
):
    first = _ask(as_alice, client_id="same")
    again = _ask(as_alice, client_id="same", message="Hello again")

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1


# --- the security matrix: every conversation endpoint, every persona ---------------

ENDPOINTS = {
    # name: (method, path, body, state the conversation needs, allowed status,
    #        what bob gets once alice blocked him: a status and an error code or None)
    "read conversation": ("get", "conversations/{id}", None, "active", 200, None),
    "read messages": ("get", "conversations/{id}/messages", None, "active", 200, None),
    "post message": (
        "post",
        "conversations/{id}/messages",
        {"body": "Hello", "client_id": "m1"},
        "active",
        201,
        "not_active",
    ),
    "accept": (
        "post",
        "conversations/{id}/accept",
        {},
        "requested",
        200,
        "not_requested",
    ),
    "decline": (
        "post",
        "conversations/{id}/decline",
        {},
        "requested",
        200,
        "not_requested",
    ),
    "archive": ("post", "conversations/{id}/archive", {}, "active", 200, "not_active"),
    "mark read": ("post", "conversations/{id}/read", {"seq": 1}, "active", 204, None),
}


@pytest.mark.parametrize("persona", ["anonymous", "stranger", "blocked", "participant"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_conversation_endpoints_security_matrix(
    endpoint, persona, api_client, neighbours, alice, bob, charlie
):
    """alice asked bob. Only the two of them learn the conversation exists; once alice
    blocks bob, he can still read what was said but not change anything."""
    method, path, body, state, allowed, blocked_code = ENDPOINTS[endpoint]
    conversation = actions.request_conversation(by=alice, to=bob, message="Hello")
    if state == "active":
        actions.accept_conversation(conversation, by=bob)
    if persona == "blocked":
        block_member(bob, by=alice)
    client = {
        "anonymous": api_client,
        "stranger": api_client.as_member(charlie),
        "blocked": api_client.as_member(bob),
        "participant": api_client.as_member(bob),
    }[persona]

    response = client.request(method, path.format(id=conversation.pk), json=body)

    if persona == "anonymous":
        assert_error(response, 401, "not_authenticated")
    elif persona == "stranger":
        assert_error(response, 404, "not_found")
    elif persona == "blocked" and blocked_code:
        assert_error(response, 403, blocked_code)
    else:
        assert response.status_code == allowed, response.content


# --- bad input ---------------------------------------------------------------------


def test_request_conversation_refuses_oneself(neighbours, as_alice):
    body = assert_error(_ask(as_alice, to="alice"), 400, "self")

    assert "to" in body["errors"]


def test_request_conversation_refuses_someone_who_blocked_you(
    neighbours, alice, bob, as_alice
):
    block_member(alice, by=bob)

    assert_error(_ask(as_alice), 403, "blocked")


@pytest.mark.parametrize(
    ("who_may_ask", "shared", "trust_level", "refusal"),
    [
        ("anyone", False, 0, None),
        ("shared_community", False, 0, "no_shared_community"),
        ("shared_community", True, 0, None),
        ("trusted", True, 2, "trusted_only"),
        ("trusted", False, 3, None),
        ("connections", True, 4, "connections_only"),
    ],
)
def test_request_conversation_follows_who_may_ask(
    as_alice, alice, bob, who_may_ask, shared, trust_level, refusal
):
    Member.objects.filter(pk=bob.pk).update(who_may_ask=who_may_ask)
    Member.objects.filter(pk=alice.pk).update(trust_level=trust_level)
    if shared:
        share_community(alice, bob)

    response = _ask(as_alice)

    if refusal:
        body = assert_error(response, 403, refusal)
        assert "@bob" in body["detail"]
    else:
        assert response.status_code == 201, response.content


def test_request_conversation_refuses_a_second_open_request(requested, as_bob):
    assert_error(_ask(as_bob, to="alice", client_id="other"), 403, "already_open")


def test_request_conversation_unknown_member_is_404_naming_to(as_alice):
    body = assert_error(_ask(as_alice, to="nobody_here"), 404, "not_found")

    assert "to" in body["errors"]


def test_request_conversation_about_a_post_needs_a_readable_one(
    neighbours, as_alice, bob
):
    hidden = PostFactory(
        community=CommunityFactory(visibility=Community.Visibility.REQUEST), author=bob
    )
    readable = PostFactory(community=neighbours, author=bob)

    refused = _ask(as_alice, post=hidden.pk)
    missing = _ask(as_alice, post=10**12, client_id="r2")
    asked = _ask(as_alice, post=readable.pk, client_id="r3")

    assert "post" in assert_error(refused, 404, "not_found")["errors"]
    assert "post" in assert_error(missing, 404, "not_found")["errors"]
    assert asked.status_code == 201, asked.content
    assert asked.json()["post"] == readable.pk


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [("   ", "empty", "Write"), ("x" * 4001, "too_long", "4,000")],
)
def test_request_conversation_refuses_empty_and_over_long_messages(
    neighbours, as_alice, text, code, says
):
    body = assert_error(_ask(as_alice, message=text), 400, code)

    assert says in body["errors"]["message"][0]


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [("", "empty", "Write"), ("y" * 4001, "too_long", "4,000")],
)
def test_send_message_refuses_empty_and_over_long(active, as_bob, text, code, says):
    response = as_bob.post(
        f"conversations/{active.pk}/messages", json={"body": text, "client_id": ""}
    )

    body = assert_error(response, 400, code)
    assert says in body["errors"]["body"][0]
    assert active.messages.count() == 1


def test_send_message_accepts_exactly_4000_characters(active, as_bob):
    response = as_bob.post(
        f"conversations/{active.pk}/messages",
        json={"body": "z" * 4000, "client_id": ""},
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("state", ["requested", "declined", "archived", "ended"])
def test_send_message_refuses_a_conversation_that_is_not_active(
    requested, alice, bob, as_alice, state
):
    if state == "declined":
        actions.decline_conversation(requested, by=bob)
    elif state == "archived":
        actions.archive_conversation(
            actions.accept_conversation(requested, by=bob), by=bob
        )
    elif state == "ended":
        block_member(alice, by=bob)

    response = as_alice.post(
        f"conversations/{requested.pk}/messages", json={"body": "Hi", "client_id": "x"}
    )

    assert_error(response, 403, "not_active")
    assert requested.messages.count() == 1


def test_accept_conversation_refuses_ones_own_request(requested, as_alice):
    assert_error(
        as_alice.post(f"conversations/{requested.pk}/accept"), 403, "not_recipient"
    )


def test_accept_conversation_refuses_accepting_twice(requested, as_bob):
    first = as_bob.post(f"conversations/{requested.pk}/accept")
    second = as_bob.post(f"conversations/{requested.pk}/accept")

    assert first.status_code == 200, first.content
    assert_error(second, 403, "not_requested")


def test_accept_conversation_refuses_an_expired_request(requested, as_bob, as_alice):
    Conversation.objects.filter(pk=requested.pk).update(
        created_at=timezone.now() - timedelta(days=15)
    )

    assert_error(as_bob.post(f"conversations/{requested.pk}/accept"), 403, "expired")
    shown = as_bob.get(f"conversations/{requested.pk}").json()
    assert shown["state"] == "expired"
    assert "tray" not in shown
    assert as_bob.get("conversations?state=requested").json()["items"] == []
    expired = as_alice.get("conversations?state=expired").json()["items"]
    assert [item["id"] for item in expired] == [requested.pk]
    # The lapsed request no longer holds the pair's one open place.
    assert _ask(as_alice, client_id="again").status_code == 201


def test_archive_conversation_refuses_a_request(requested, as_bob):
    assert_error(
        as_bob.post(f"conversations/{requested.pk}/archive"), 403, "not_active"
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "conversations/99999999999999999999", None),
        ("get", "conversations/{id}/messages?after=99999999999999999999", None),
        ("get", "conversations/{id}/messages?limit=501", None),
        ("get", "conversations/{id}/messages?after=-1", None),
        ("patch", "conversations/{id}/messages/99999999999999999999", {"body": "x"}),
        ("post", "conversations/{id}/read", {"seq": 10**20}),
        ("post", "conversations/{id}/messages", {"body": "a\x00b", "client_id": ""}),
        ("post", "conversations/{id}/messages", {"body": "ab", "client_id": "\x00"}),
        ("post", "conversations/{id}/messages", {"body": "ab", "client_id": "c" * 65}),
        (
            "post",
            "conversations/{id}/messages",
            {"body": "b" * 300_000, "client_id": ""},
        ),
        ("post", "conversations/{id}/messages", {"body": 5, "client_id": ""}),
        ("post", "conversations/{id}/messages", {"client_id": ""}),
        ("post", "conversations", {"to": "bo\x00b", "message": "hi", "client_id": ""}),
        (
            "post",
            "conversations",
            {"to": "b" * 100_000, "message": "hi", "client_id": ""},
        ),
        ("post", "conversations", {"to": "bob", "message": "\x00", "client_id": ""}),
        (
            "post",
            "conversations",
            {"to": "bob", "message": "hi", "client_id": "", "post": 10**20},
        ),
        ("get", "conversations?state=nonsense", None),
        ("get", "conversations?cursor=damaged", None),
    ],
)
def test_conversation_api_answers_bad_input_with_a_4xx(
    active, as_bob, method, path, body
):
    response = as_bob.request(method, path.format(id=active.pk), json=body)

    assert 400 <= response.status_code < 500, response.content
    assert response.json()["code"]
    assert active.messages.count() == 1


# --- messages ------------------------------------------------------------------------


def test_list_messages_after_a_seq_pages_in_order_without_gaps(
    active, alice, bob, as_bob
):
    for number in range(2, 9):
        actions.send_message(active, by=alice if number % 2 else bob, body=f"m{number}")
    path = f"conversations/{active.pk}/messages"

    first = as_bob.get(f"{path}?limit=3").json()
    rest = as_bob.get(f"{path}?after={first[-1]['seq']}&limit=500").json()
    after_last = as_bob.get(f"{path}?after={rest[-1]['seq']}").json()

    assert [m["seq"] for m in first] == [1, 2, 3]
    assert [m["seq"] for m in rest] == [4, 5, 6, 7, 8]
    assert [m["body"] for m in rest] == ["m4", "m5", "m6", "m7", "m8"]
    assert after_last == []


def test_edit_message_by_its_author_within_five_minutes(active, as_alice, as_bob):
    path = f"conversations/{active.pk}/messages/1"

    edited = as_alice.patch(path, json={"body": "Hello Bob, edited"})
    by_other = as_bob.patch(path, json={"body": "Not mine"})

    assert edited.status_code == 200, edited.content
    assert edited.json()["body"] == "Hello Bob, edited"
    assert edited.json()["edited_at"]
    assert_error(by_other, 403, "not_author")


def test_edit_message_refuses_after_five_minutes(active, as_alice):
    Message.objects.filter(conversation=active).update(
        sent_at=timezone.now() - timedelta(minutes=6)
    )

    response = as_alice.patch(
        f"conversations/{active.pk}/messages/1", json={"body": "Too late"}
    )

    assert_error(response, 403, "edit_window_closed")


def test_edit_message_refuses_an_empty_or_over_long_body(active, as_alice):
    path = f"conversations/{active.pk}/messages/1"

    assert (
        "body"
        in assert_error(as_alice.patch(path, json={"body": ""}), 400, "empty")["errors"]
    )
    assert_error(as_alice.patch(path, json={"body": "x" * 4001}), 400, "too_long")


def test_delete_message_leaves_a_tombstone_in_its_seq(active, as_alice, as_bob):
    path = f"conversations/{active.pk}/messages/1"

    refused = as_bob.delete(path)
    deleted = as_alice.delete(path)
    listed = as_bob.get(f"conversations/{active.pk}/messages").json()

    assert_error(refused, 403, "not_author")
    assert deleted.status_code == 200, deleted.content
    assert [(m["seq"], m["deleted"], m["body"]) for m in listed] == [(1, True, "")]


def test_edit_message_unknown_seq_is_404(active, as_alice):
    response = as_alice.patch(
        f"conversations/{active.pk}/messages/7", json={"body": "Hello"}
    )

    assert_error(response, 404, "not_found")


def test_mark_read_clears_unread_and_never_moves_back(active, alice, as_alice):
    actions.send_message(active, by=active.recipient, body="Two")
    actions.send_message(active, by=active.recipient, body="Three")
    path = f"conversations/{active.pk}"

    assert as_alice.get(path).json()["unread"] is True
    assert as_alice.post(f"{path}/read", json={"seq": 3}).status_code == 204
    assert as_alice.post(f"{path}/read", json={"seq": 1}).status_code == 204

    shown = as_alice.get(path).json()
    assert shown["unread"] is False
    assert shown["read_seq"] == 3


# --- the inbox -----------------------------------------------------------------------


def test_list_conversations_puts_your_turn_first_then_newest(alice, bob, as_alice):
    others = PlainMemberFactory.create_batch(3)
    share_community(alice, bob, *others)
    waiting_on_them = actions.request_conversation(by=alice, to=others[0], message="Hi")
    their_request = actions.request_conversation(by=others[1], to=alice, message="Hi")
    talked = actions.accept_conversation(
        actions.request_conversation(by=others[2], to=alice, message="Hi"), by=alice
    )
    actions.send_message(talked, by=alice, body="My turn is done")
    newest = actions.request_conversation(by=alice, to=bob, message="Hi")

    items = as_alice.get("conversations").json()["items"]

    assert [(item["id"], item["your_turn"]) for item in items] == [
        (their_request.pk, True),
        (newest.pk, False),
        (talked.pk, False),
        (waiting_on_them.pk, False),
    ]
    requests = as_alice.get("conversations?tray=requests").json()["items"]
    assert [item["id"] for item in requests] == [their_request.pk]
    assert as_alice.get("conversations?tray=later").json()["items"] == []
    active = as_alice.get("conversations?state=active").json()["items"]
    assert [item["id"] for item in active] == [talked.pk]


def test_list_conversations_pages_with_a_cursor(alice, as_alice, monkeypatch):
    monkeypatch.setattr(conversations_api, "PAGE_SIZE", 2)
    others = MemberFactory.create_batch(5)
    share_community(alice, *others)
    made = [
        actions.request_conversation(by=other, to=alice, message="Hi").pk
        for other in others[:3]
    ] + [
        actions.request_conversation(by=alice, to=other, message="Hi").pk
        for other in others[3:]
    ]

    seen, cursor = [], None
    while True:
        page = as_alice.get(
            "conversations" + (f"?cursor={cursor}" if cursor else "")
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if not cursor:
            break

    assert seen == made[2::-1] + made[:2:-1]


def test_list_conversations_refuses_another_members_cursor(
    alice, bob, as_bob, monkeypatch
):
    monkeypatch.setattr(conversations_api, "PAGE_SIZE", 1)
    others = MemberFactory.create_batch(2)
    share_community(alice, *others)
    for other in others:
        actions.request_conversation(by=other, to=alice, message="Hi")
    from fireside.accounts.actions import issue_api_token
    from tests.helpers import bearer

    _, secret = issue_api_token(alice, name="tests")
    cursor = bearer(as_bob, secret).get("conversations").json()["next"]

    body = assert_error(
        as_bob.get(f"conversations?cursor={cursor}"), 400, "invalid_cursor"
    )
    assert "cursor" in body["errors"]


def test_conversation_api_answers_carry_no_vanity_keys(active, alice, as_alice, as_bob):
    actions.send_message(active, by=alice, body="Hi")
    answers = [
        as_alice.get("conversations").json(),
        as_bob.get("conversations").json(),
        as_alice.get(f"conversations/{active.pk}").json(),
        as_alice.get(f"conversations/{active.pk}/messages").json(),
        as_bob.post(
            f"conversations/{active.pk}/messages", json={"body": "Yo", "client_id": "z"}
        ).json(),
    ]

    keys = {key for answer in answers for key in all_keys(answer)}
    assert keys
    assert not {
        key for key in keys if any(part in key.lower() for part in FORBIDDEN_KEY_PARTS)
    }


def test_list_conversations_query_count_does_not_grow_with_the_list(
    alice, as_alice, django_assert_num_queries
):
    others = MemberFactory.create_batch(4)
    share_community(alice, *others)
    actions.request_conversation(by=others[0], to=alice, message="Hi")
    as_alice.get("me")  # the token's first use is noted once
    with django_assert_num_queries(2):  # the token with its member, one page
        assert len(as_alice.get("conversations").json()["items"]) == 1

    for other in others[1:]:
        actions.request_conversation(by=other, to=alice, message="Hi")
    with django_assert_num_queries(2):
        assert len(as_alice.get("conversations").json()["items"]) == 4

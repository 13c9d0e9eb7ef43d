import pytest

from fireside.conversations import actions
from fireside.conversations.models import Conversation
from fireside.conversations.tests.factories import share_community
from fireside.safety.models import Block
from tests.helpers import all_keys, assert_error


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


@pytest.fixture
def as_bob(api_client, bob):
    return api_client.as_member(bob)


def test_block_member_answers_201_and_ends_open_conversations_for_both(
    alice, bob, as_alice, as_bob
):
    share_community(alice, bob)
    conversation = actions.accept_conversation(
        actions.request_conversation(by=bob, to=alice, message="Hi"), by=alice
    )

    response = as_alice.post("blocks", json={"handle": "@Bob"})

    assert response.status_code == 201, response.content
    assert response.json()["handle"] == "bob"
    assert set(response.json()) == {"handle", "display_name", "blocked_at"}
    for client in (as_alice, as_bob):
        shown = client.get(f"conversations/{conversation.pk}").json()
        assert shown["state"] == "ended"
    asked = as_bob.post(
        "conversations", json={"to": "alice", "message": "Again", "client_id": "x"}
    )
    assert_error(asked, 403, "blocked")


def test_block_member_again_answers_200_and_changes_nothing(alice, bob, as_alice):
    first = as_alice.post("blocks", json={"handle": "bob"})
    again = as_alice.post("blocks", json={"handle": "bob"})

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert Block.objects.filter(blocker=alice, blocked=bob).count() == 1


def test_block_member_refuses_oneself(as_alice):
    body = assert_error(
        as_alice.post("blocks", json={"handle": "alice"}), 400, "invalid"
    )

    assert "handle" in body["errors"]


@pytest.mark.parametrize(
    "handle", ["nobody_here", "bo\x00b", "x" * 100_000, "", "<script>"]
)
def test_block_member_unknown_handle_is_404_naming_handle(as_alice, handle):
    body = assert_error(
        as_alice.post("blocks", json={"handle": handle}), 404, "not_found"
    )

    assert "handle" in body["errors"]


def test_block_member_refuses_a_malformed_body(as_alice):
    assert_error(as_alice.post("blocks", json={"handle": 7}), 400, "invalid")
    assert_error(as_alice.post("blocks", json={}), 400, "invalid")


def test_list_blocks_shows_ones_own_blocks_newest_first(
    alice, bob, charlie, as_alice, as_bob
):
    as_alice.post("blocks", json={"handle": "bob"})
    as_alice.post("blocks", json={"handle": "charlie"})

    mine = as_alice.get("blocks").json()

    assert [block["handle"] for block in mine] == ["charlie", "bob"]
    assert as_bob.get("blocks").json() == []
    keys = set(all_keys(mine))
    assert not {
        key
        for key in keys
        if any(part in key for part in ("count", "follower", "like", "view"))
    }


def test_unblock_member_answers_204_then_404(alice, bob, as_alice):
    share_community(alice, bob)
    conversation = actions.request_conversation(by=alice, to=bob, message="Hi")
    as_alice.post("blocks", json={"handle": "bob"})

    lifted = as_alice.delete("blocks/bob")
    again = as_alice.delete("blocks/bob")

    assert lifted.status_code == 204, lifted.content
    assert "handle" in assert_error(again, 404, "not_found")["errors"]
    assert not Block.objects.exists()
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.ENDED


def test_unblock_member_only_lifts_ones_own_block(alice, bob, as_bob):
    Block.objects.create(blocker=alice, blocked=bob)

    assert_error(as_bob.delete("blocks/alice"), 404, "not_found")
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "blocks", None),
        ("post", "blocks", {"handle": "bob"}),
        ("delete", "blocks/bob", None),
    ],
)
def test_block_endpoints_need_a_member(api_client, bob, method, path, body):
    assert_error(api_client.request(method, path, json=body), 401, "not_authenticated")
    assert not Block.objects.exists()

from datetime import datetime, timedelta

import pytest
from django.db import connection

from fireside.accounts.models import Member
from fireside.conversations.models import Message, MessageRevision
from fireside.dialogues.models import Dialogue, DialogueMessage
from fireside.posts.models import Post
from fireside.yourdata import actions
from fireside.yourdata.models import Deletion
from fireside.yourdata.tasks import tidy_your_data
from fireside.yourdata.tests.conftest import BOB_WORDS, ZELDA
from tests.helpers import assert_error

GRACE = timedelta(days=14)


@pytest.fixture
def as_zelda(api_client, world):
    return api_client.as_member(world.zelda)


def _rows_holding(needle):
    """Every (table, row) of the database whose text anywhere contains NEEDLE."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "ignore")
                    if needle.casefold() in str(value).casefold():
                        found.append((table, row))
                        break
    return found


def test_delete_me_with_the_password_schedules_deletion_in_fourteen_days(
    as_zelda, world, password
):
    response = as_zelda.delete("me", json={"password": password})
    assert response.status_code == 202, response.content
    body = response.json()
    deletion = Deletion.objects.get(member=world.zelda)
    assert body["state"] == "pending"
    final_at = datetime.fromisoformat(body["final_at"])
    assert abs(final_at - deletion.final_at) < timedelta(milliseconds=1)
    assert deletion.final_at - deletion.requested_at == GRACE
    # Asking again changes nothing.
    again = as_zelda.delete("me", json={"password": password}).json()
    assert again["final_at"] == body["final_at"]
    # The account keeps working meanwhile.
    assert as_zelda.get("me").status_code == 200


def test_delete_me_with_a_wrong_password_is_refused_on_the_password(as_zelda, world):
    body = assert_error(
        as_zelda.delete("me", json={"password": "not it at all"}), 400, "wrong_password"
    )
    assert body["errors"] == {"password": ["That is not your password."]}
    assert not Deletion.objects.exists()


def test_delete_me_without_a_password_says_what_is_missing(as_zelda):
    body = assert_error(as_zelda.delete("me", json={}), 400, "invalid")
    assert "password" in body["errors"]


def test_wrong_passwords_are_limited(as_zelda, clock, password):
    for _ in range(5):
        assert_error(
            as_zelda.delete("me", json={"password": "wrong guess"}),
            400,
            "wrong_password",
        )
    assert_error(
        as_zelda.delete("me", json={"password": password}), 429, "rate_limited"
    )


def test_deletion_api_is_for_members_only(api_client, db):
    assert_error(
        api_client.delete("me", json={"password": "x"}), 401, "not_authenticated"
    )
    assert_error(api_client.post("me/deletion/cancel"), 401, "not_authenticated")


def test_cancel_during_the_grace_period_keeps_the_account(
    as_zelda, world, password, later
):
    as_zelda.delete("me", json={"password": password})
    later(timedelta(days=13))
    response = as_zelda.post("me/deletion/cancel")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert_error(as_zelda.get("me/deletion"), 404, "no_deletion")
    later(timedelta(days=2))
    tidy_your_data.call()
    assert Member.objects.filter(pk=world.zelda.pk).exists()
    assert_error(as_zelda.post("me/deletion/cancel"), 404, "no_deletion")


def test_nothing_is_deleted_before_the_grace_period_ends(world, password, later):
    actions.request_deletion(world.zelda, password=password)
    later(GRACE - timedelta(minutes=1))
    tidy_your_data.call()
    assert Member.objects.filter(pk=world.zelda.pk).exists()


def test_after_fourteen_days_the_account_is_deleted_for_real(
    world, password, later, django_capture_on_commit_callbacks
):
    zelda = world.zelda
    actions.request_deletion(zelda, password=password)
    seqs_before = list(
        Message.objects.filter(conversation=world.conversation).values_list(
            "seq", flat=True
        )
    )
    later(GRACE + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tidy_your_data.call() == 1

    assert not Member.objects.filter(pk=zelda.pk).exists()
    assert not Post.objects.filter(pk=world.post.pk).exists()
    # The other member keeps the shape of the conversation, not the words.
    messages = list(Message.objects.filter(conversation=world.conversation))
    assert [m.seq for m in messages] == seqs_before == [1, 2, 3]
    tombstones = [m for m in messages if m.seq != 2]
    assert all(m.author is None and m.body == "" and m.deleted_at for m in tombstones)
    assert messages[1].body == BOB_WORDS
    assert messages[1].author == world.bob
    assert not MessageRevision.objects.filter(message__in=tombstones).exists()
    world.conversation.refresh_from_db()
    assert world.conversation.initiator.handle == actions.DELETED_HANDLE
    assert world.conversation.recipient == world.bob
    assert world.conversation.state == "ended"
    # The dialogue is unpublished and its words are gone.
    world.dialogue.refresh_from_db()
    assert world.dialogue.state == Dialogue.State.WITHDRAWN
    assert not DialogueMessage.objects.filter(dialogue=world.dialogue).exists()
    # Running it again finds nothing to do.
    assert tidy_your_data.call() == 0


def test_no_row_anywhere_holds_the_deleted_members_words(world, password, later):
    actions.request_deletion(world.zelda, password=password)
    for needle in ZELDA.values():
        assert _rows_holding(needle), f"the test data should hold {needle!r}"
    later(GRACE + timedelta(minutes=1))
    tidy_your_data.call()
    for needle in ZELDA.values():
        assert _rows_holding(needle) == [], needle
    # Bob's own words are still his.
    assert _rows_holding(BOB_WORDS)


def test_other_member_still_reads_the_conversation_after_the_deletion(
    world, password, later, client, api_client
):
    actions.request_deletion(world.zelda, password=password)
    later(GRACE + timedelta(minutes=1))
    tidy_your_data.call()
    client.force_login(world.bob)
    page = client.get(f"/conversations/{world.conversation.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert BOB_WORDS in text
    assert ZELDA["reply"] not in text
    as_bob = api_client.as_member(world.bob)
    messages = as_bob.get(f"conversations/{world.conversation.pk}/messages").json()
    items = messages["items"] if isinstance(messages, dict) else messages
    assert [(m["seq"], m["author"], m["body"]) for m in items] == [
        (1, None, ""),
        (2, "bob", BOB_WORDS),
        (3, None, ""),
    ]
    assert client.get(f"/@{ZELDA['handle']}/").status_code == 404


def test_two_deleted_members_leave_no_conversation_behind(world, password, later):
    actions.request_deletion(world.zelda, password=password)
    actions.request_deletion(world.bob, password=password)
    later(GRACE + timedelta(minutes=1))
    assert tidy_your_data.call() == 2
    assert not Message.objects.filter(conversation_id=world.conversation.pk).exists()


def test_deletion_page_asks_for_the_password_and_a_confirmation(
    client, world, password
):
    client.force_login(world.zelda)
    page = client.get("/settings/data/delete/")
    assert page.status_code == 200
    assert "14 days" in page.content.decode()
    refused = client.post("/settings/data/delete/", {"password": password})
    assert refused.status_code == 400
    assert not Deletion.objects.exists()
    wrong = client.post(
        "/settings/data/delete/", {"password": "not mine", "confirm": "on"}
    )
    assert wrong.status_code == 400
    assert "That is not your password." in wrong.content.decode()
    done = client.post(
        "/settings/data/delete/", {"password": password, "confirm": "on"}
    )
    assert done.status_code == 302
    page = client.get("/settings/data/").content.decode()
    assert "Your account will be deleted on" in page


def test_logging_in_shows_the_pending_deletion_with_a_cancel_button(
    client, world, password
):
    actions.request_deletion(world.zelda, password=password)
    response = client.post(
        "/login/", {"login": ZELDA["handle"], "password": password}, follow=True
    )
    text = response.content.decode()
    assert 'aria-label="Account deletion"' in text
    assert "Cancel the deletion" in text
    cancelled = client.post("/settings/data/delete/cancel/", follow=True)
    assert "Your account will not be deleted." in cancelled.content.decode()
    assert 'aria-label="Account deletion"' not in cancelled.content.decode()
    assert not Deletion.objects.pending().exists()

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.connections import queries
from fireside.conversations import actions as conversations

from .conftest import backdate, connect, talk


def audit_by_handle(member):
    return {row.other.handle: row for row in queries.audit(member)}


def test_audit_states_follow_when_the_two_last_talked(alice, bob, charlie):
    dave = MemberFactory(handle="dave")
    for other, days in ((bob, 100), (charlie, 45), (dave, 2)):
        conversation = talk(alice, other, turns=2)
        connect(alice, other)
        backdate(conversation, days)

    rows = audit_by_handle(alice)

    assert {handle: row.state for handle, row in rows.items()} == {
        "bob": "dormant",
        "charlie": "fading",
        "dave": "active",
    }
    # Longest silence first.
    assert [row.other.handle for row in queries.audit(alice)] == [
        "bob",
        "charlie",
        "dave",
    ]
    assert rows["bob"].last_talked_at < timezone.now() - timedelta(days=99)


def test_audit_last_talked_is_the_last_message_in_any_conversation(alice, bob):
    old = talk(alice, bob)
    connect(alice, bob)
    conversations.archive_conversation(old, by=bob)
    backdate(old, 200)
    newer = talk(bob, alice, turns=2)
    backdate(newer, 40)

    row = audit_by_handle(alice)["bob"]

    assert row.state == "fading"
    assert row.last_conversation_id == newer.pk


def test_audit_balance_is_balanced_when_each_wrote_a_third(alice, bob):
    talk(alice, bob, turns=3)  # alice, bob, alice
    connect(alice, bob)

    assert audit_by_handle(alice)["bob"].balance == "balanced"
    assert audit_by_handle(bob)["alice"].balance == "balanced"


def test_audit_balance_is_one_sided_when_one_wrote_most(alice, bob):
    conversation = talk(alice, bob, turns=2)
    connect(alice, bob)
    for number in range(5):
        conversations.send_message(conversation, by=alice, body=f"And {number}")

    assert audit_by_handle(alice)["bob"].balance == "mostly_you"
    assert audit_by_handle(bob)["alice"].balance == "mostly_them"


def test_audit_balance_counts_only_the_last_20_messages(alice, bob):
    conversation = talk(alice, bob, turns=2)
    connect(alice, bob)
    for number in range(30):
        conversations.send_message(conversation, by=alice, body=f"Monologue {number}")
    for number in range(10):
        conversations.send_message(conversation, by=bob, body=f"Answer {number}")

    # The last 20: 10 from alice, 10 from bob.
    assert audit_by_handle(alice)["bob"].balance == "balanced"


def test_audit_lists_only_ones_own_connections(alice, bob, charlie):
    talk(alice, bob)
    connect(alice, bob)

    assert queries.audit(charlie) == []
    assert list(audit_by_handle(bob)) == ["alice"]


def test_audit_reads_with_a_constant_number_of_queries(
    alice, django_assert_num_queries
):
    for _ in range(4):
        other = MemberFactory()
        talk(alice, other)
        connect(alice, other)

    with django_assert_num_queries(3):
        rows = queries.audit(alice)

    assert len(rows) == 4

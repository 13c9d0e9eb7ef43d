"""send_messages: the one way messages are added, one batch in one transaction, each
outcome independent of the others."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions
from fireside.conversations.actions import Outgoing, Sent
from fireside.conversations.models import Message
from fireside.conversations.payloads import message_payload
from fireside.conversations.tests.factories import share_community
from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed


def active_between(one, other):
    share_community(one, other)
    conversation = actions.request_conversation(by=one, to=other, message="Hello")
    return actions.accept_conversation(conversation, by=other)


def test_a_batch_numbers_each_conversation_without_gaps(alice, bob, charlie):
    first = active_between(alice, bob)
    second = active_between(charlie, alice)

    results = actions.send_messages(
        [
            Outgoing(alice, first.pk, "a1"),
            Outgoing(charlie, second.pk, "c1"),
            Outgoing(bob, first.pk, "b1"),
            Outgoing(alice, second.pk, "a2"),
        ]
    )

    assert [(r.message.conversation_id, r.message.seq) for r in results] == [
        (first.pk, 2),
        (second.pk, 2),
        (first.pk, 3),
        (second.pk, 3),
    ]
    assert list(first.messages.values_list("seq", "body")) == [
        (1, "Hello"),
        (2, "a1"),
        (3, "b1"),
    ]
    first.refresh_from_db()
    assert first.last_seq == 3
    assert first.last_author_id == bob.pk
    # Writing is reading: bob's own message is read by bob.
    assert first.recipient_read_seq == 3
    assert first.is_your_turn(alice)


def test_a_batch_payload_is_the_committed_message(alice, bob):
    talking = active_between(alice, bob)

    [sent] = actions.send_messages([Outgoing(alice, talking.pk, "**Hi**", "c-1")])

    stored = Message.objects.select_related("author").get(pk=sent.message.pk)
    assert sent.payload == message_payload(stored)
    assert "<strong>Hi</strong>" in sent.payload["body_html"]
    assert not sent.repeat


def test_one_refused_message_does_not_hold_back_the_others(alice, bob, charlie):
    talking = active_between(alice, bob)
    share_community(charlie, bob)
    requested = actions.request_conversation(by=charlie, to=bob, message="Hi")

    results = actions.send_messages(
        [
            Outgoing(alice, talking.pk, "fine"),
            Outgoing(alice, talking.pk, "   "),
            Outgoing(charlie, talking.pk, "not mine"),
            Outgoing(charlie, requested.pk, "before acceptance"),
            Outgoing(bob, 10**9, "nowhere"),
            Outgoing(bob, talking.pk, "also fine"),
        ]
    )

    assert isinstance(results[0], Sent)
    assert isinstance(results[1], ValidationFailed)
    # Someone else's conversation, and one that does not exist, look the same.
    assert isinstance(results[2], NotFound)
    assert isinstance(results[3], NotAllowed)
    assert results[3].code == "not_active"
    assert isinstance(results[4], NotFound)
    assert isinstance(results[5], Sent)
    assert list(talking.messages.values_list("seq", "body")) == [
        (1, "Hello"),
        (2, "fine"),
        (3, "also fine"),
    ]


def test_a_client_id_repeated_in_and_across_batches_adds_one_message(alice, bob):
    talking = active_between(alice, bob)

    first_batch = actions.send_messages(
        [
            Outgoing(alice, talking.pk, "once", "k1"),
            Outgoing(alice, talking.pk, "once", "k1"),
            # The same client_id from the other member is another message.
            Outgoing(bob, talking.pk, "mine", "k1"),
        ]
    )
    second_batch = actions.send_messages([Outgoing(alice, talking.pk, "once", "k1")])

    assert [r.repeat for r in first_batch] == [False, True, False]
    assert first_batch[1].message.pk == first_batch[0].message.pk
    assert first_batch[1].payload["seq"] == 2
    assert second_batch[0].repeat
    assert second_batch[0].message.pk == first_batch[0].message.pk
    assert list(talking.messages.values_list("seq", "author__handle")) == [
        (1, "alice"),
        (2, "alice"),
        (3, "bob"),
    ]


def test_a_batch_costs_a_fixed_number_of_queries(alice, bob, charlie):
    """Group commit is only worth having if a batch's queries do not grow with it."""
    pairs = [active_between(MemberFactory(), alice) for _ in range(5)]

    def queries_for(count):
        batch = [
            Outgoing(alice, pairs[n % len(pairs)].pk, f"m{n}", f"q{count}-{n}")
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            results = actions.send_messages(batch)
        assert all(isinstance(r, Sent) for r in results)
        return len(captured)

    assert queries_for(2) == queries_for(40)


def test_a_batch_is_published_after_commit_only(
    alice, bob, django_capture_on_commit_callbacks
):
    talking = active_between(alice, bob)

    with django_capture_on_commit_callbacks() as callbacks:
        actions.send_messages(
            [Outgoing(alice, talking.pk, "x"), Outgoing(bob, talking.pk, "y")]
        )

    # One hand-over for the batch: two messages, each to the two members' groups.
    assert len(callbacks) == 1


def test_a_repeat_inside_a_batch_of_new_messages_adds_the_new_ones_once(alice, bob):
    talking = active_between(alice, bob)
    [first] = actions.send_messages([Outgoing(alice, talking.pk, "once", "k1")])

    results = actions.send_messages(
        [
            Outgoing(bob, talking.pk, "new one", "b1"),
            Outgoing(alice, talking.pk, "once", "k1"),
            Outgoing(alice, talking.pk, "new two", "k2"),
        ]
    )

    assert [(r.repeat, r.message.seq) for r in results] == [
        (False, 3),
        (True, 2),
        (False, 4),
    ]
    assert results[1].message.pk == first.message.pk
    assert list(talking.messages.values_list("seq", "body")) == [
        (1, "Hello"),
        (2, "once"),
        (3, "new one"),
        (4, "new two"),
    ]


@pytest.mark.parametrize(
    ("level", "refused"),
    [(Member.TrustLevel.NEWCOMER, True), (Member.TrustLevel.MEMBER, False)],
)
def test_links_in_messages_wait_for_level_one(alice, bob, level, refused):
    talking = active_between(alice, bob)
    alice.trust_level = level
    alice.save(update_fields=["trust_level"])

    [result] = actions.send_messages(
        [Outgoing(alice, talking.pk, "Look at https://example.org/sky")]
    )

    if refused:
        assert isinstance(result, ValidationFailed)
        assert result.code == "links_not_allowed"
        assert "link" in result.errors["body"][0]
    else:
        assert isinstance(result, Sent)


def test_a_newcomers_request_with_a_link_is_refused_on_its_message(alice, bob):
    share_community(alice, bob)
    alice.trust_level = Member.TrustLevel.NEWCOMER

    with pytest.raises(ValidationFailed) as refused:
        actions.request_conversation(by=alice, to=bob, message="see www.example.org")

    assert list(refused.value.errors) == ["message"]

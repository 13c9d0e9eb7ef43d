import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.connections import actions
from fireside.connections.models import AuditNotice, Connection, ConnectionOffer
from fireside.connections.queries import connections_of, offers_received
from fireside.conversations import actions as conversations
from fireside.conversations.tests.factories import share_community
from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed
from fireside.safety.actions import block_member

from .conftest import talk


def test_offer_connection_waits_for_the_other_to_accept(talked, alice, bob):
    offer = actions.offer_connection(bob, by=alice)

    assert isinstance(offer, ConnectionOffer)
    assert offer.conversation == talked
    assert connections_of(alice) == []
    assert connections_of(bob) == []
    assert [o.from_member for o in offers_received(bob)] == [alice]


def test_accept_connection_connects_both_after_an_offer(talked, alice, bob):
    actions.offer_connection(bob, by=alice)

    actions.accept_connection(alice, by=bob)

    assert [c.other for c in connections_of(alice)] == [bob]
    assert [c.other for c in connections_of(bob)] == [alice]
    assert not ConnectionOffer.objects.exists()


def test_accept_connection_without_an_offer_is_refused(talked, alice, bob):
    with pytest.raises(NotFound) as refused:
        actions.accept_connection(alice, by=bob)

    assert refused.value.code == "no_offer"
    assert not Connection.objects.exists()


def test_offer_connection_from_both_sides_connects_at_once(talked, alice, bob):
    actions.offer_connection(bob, by=alice)

    found = actions.offer_connection(alice, by=bob)

    assert isinstance(found, Connection)
    assert Connection.objects.count() == 2


def test_offer_connection_again_changes_nothing(talked, alice, bob):
    first = actions.offer_connection(bob, by=alice)

    assert actions.offer_connection(bob, by=alice) == first
    assert ConnectionOffer.objects.count() == 1


def test_offer_connection_refused_when_only_one_wrote(alice, bob):
    talk(alice, bob, turns=1)  # bob accepted, but never wrote

    with pytest.raises(NotAllowed) as refused:
        actions.offer_connection(bob, by=alice)

    assert refused.value.code == "not_talked"
    assert "both wrote" in refused.value.message
    with pytest.raises(NotAllowed):
        actions.offer_connection(alice, by=bob)
    assert not ConnectionOffer.objects.exists()


def test_offer_connection_refused_without_any_conversation(alice, bob):
    with pytest.raises(NotAllowed) as refused:
        actions.offer_connection(bob, by=alice)

    assert refused.value.code == "not_talked"


def test_offer_connection_to_oneself_is_refused(alice):
    with pytest.raises(ValidationFailed):
        actions.offer_connection(alice, by=alice)


def test_offer_connection_counts_only_a_conversation_both_wrote_in(alice, bob):
    """Writing in two different conversations, one each, is not a back-and-forth."""
    first = talk(alice, bob, turns=1)
    conversations.archive_conversation(first, by=alice)
    second = conversations.request_conversation(by=bob, to=alice, message="Me again")
    conversations.decline_conversation(second, by=alice)

    with pytest.raises(NotAllowed):
        actions.offer_connection(bob, by=alice)


def test_decline_connection_is_quiet_and_the_offer_still_reads_as_sent(
    talked, alice, bob, live_events
):
    actions.offer_connection(bob, by=alice)

    actions.decline_connection(alice, by=bob)

    assert offers_received(bob) == []
    assert ConnectionOffer.objects.sent_by(alice).count() == 1
    assert live_events == []
    assert not Connection.objects.exists()


def test_let_go_removes_the_connection_for_both_without_telling_the_other(
    connected, alice, bob, live_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.let_go(bob, by=alice)

    assert connections_of(alice) == []
    assert connections_of(bob) == []
    assert live_events == []
    assert not AuditNotice.objects.exists()
    assert not ConnectionOffer.objects.exists()


def test_let_go_of_someone_one_is_not_connected_with_is_404(talked, alice, bob):
    with pytest.raises(NotFound) as refused:
        actions.let_go(bob, by=alice)

    assert refused.value.code == "not_connected"


def test_block_removes_the_connection_and_prevents_offers(connected, alice, bob):
    block_member(bob, by=alice)

    assert connections_of(alice) == []
    assert connections_of(bob) == []
    with pytest.raises(NotAllowed) as refused:
        actions.offer_connection(alice, by=bob)
    assert refused.value.code == "blocked"
    with pytest.raises(NotAllowed) as refused:
        actions.offer_connection(bob, by=alice)
    assert refused.value.code == "you_blocked"


def test_block_after_an_offer_stops_its_acceptance(talked, alice, bob):
    actions.offer_connection(bob, by=alice)

    block_member(alice, by=bob)

    assert not ConnectionOffer.objects.exists()
    with pytest.raises(NotFound):
        actions.accept_connection(alice, by=bob)


def test_reconnect_asks_a_connection_for_a_new_conversation(connected, alice, bob):
    conversations.archive_conversation(connected, by=alice)

    conversation = actions.reconnect(bob, by=alice, message="Picking up from before")

    assert conversation.state == "requested"
    assert conversation.recipient == bob


def test_reconnect_is_only_for_connections(alice, bob):
    share_community(alice, bob)
    with pytest.raises(NotAllowed) as refused:
        actions.reconnect(bob, by=alice, message="Hello")

    assert refused.value.code == "not_connected"


def test_reconnect_keeps_the_consent_rules(connected, alice, bob):
    from fireside.conversations.actions import set_requests_paused

    conversations.archive_conversation(connected, by=alice)
    set_requests_paused(bob, paused=True)

    with pytest.raises(NotAllowed) as refused:
        actions.reconnect(bob, by=alice, message="Hello")

    assert refused.value.code == "requests_paused"


def test_connections_are_unique_per_pair(connected, alice, bob):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(member=alice, other=bob)
    other = MemberFactory()
    assert connections_of(other) == []

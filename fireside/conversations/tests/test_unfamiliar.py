"""Unfamiliar-sender signals: what the recipient of a request is told about its sender,
and that nobody else is."""

import hashlib
import hmac
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions
from fireside.conversations.demo import DEMO_SENDER
from fireside.conversations.models import Conversation
from fireside.conversations.tests.factories import share_community

SIGNUP_URL = "/api/v1/auth/signup"


def main_text(response):
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def codes(conversation):
    return [signal["code"] for signal in conversation.signals]


@pytest.fixture
def newcomer(db):
    """A one-day-old account with a digit-heavy handle."""
    return MemberFactory(
        handle="user84721",
        display_name="User 84721",
        joined_at=timezone.now() - timedelta(days=1, hours=2),
    )


@pytest.fixture
def their_request(newcomer, alice):
    share_community(alice, newcomer)
    return actions.request_conversation(
        by=newcomer, to=alice, message="hey, about your post"
    )


def test_request_from_digit_heavy_new_account_shows_both_reasons_to_recipient_api(
    their_request, api_client, alice
):
    shown = api_client.as_member(alice).get(f"conversations/{their_request.pk}").json()

    assert shown["signals"] == [
        {"code": "new_account", "text": "New account (joined 1 day ago)"},
        {"code": "many_digits", "text": "Handle with many digits"},
    ]
    listed = api_client.as_member(alice).get("conversations?tray=later").json()
    assert [item["signals"] for item in listed["items"]] == [shown["signals"]]


def test_request_from_digit_heavy_new_account_shows_reasons_on_the_recipients_page(
    their_request, client, alice
):
    client.force_login(alice)

    text = main_text(client.get("/conversations/requests/later/"))

    assert "Why this may be unfamiliar:" in text
    assert "New account (joined 1 day ago)" in text
    assert "Handle with many digits" in text
    # And on the request itself, where she decides.
    text = main_text(client.get(f"/conversations/{their_request.pk}/"))
    assert "Why this may be unfamiliar: New account (joined 1 day ago)" in text
    assert "Handle with many digits" in text


def test_signals_are_hidden_from_the_sender_and_from_a_third_member(
    their_request, api_client, client, newcomer, charlie
):
    as_sender = api_client.as_member(newcomer)
    seen = as_sender.get(f"conversations/{their_request.pk}").json()
    listed = as_sender.get("conversations").json()["items"]
    assert "signals" not in seen
    assert "tray" not in seen
    assert all("signals" not in item for item in listed)
    as_third = api_client.as_member(charlie)
    assert as_third.get(f"conversations/{their_request.pk}").status_code == 404

    client.force_login(newcomer)
    page = client.get(f"/conversations/{their_request.pk}/").content.decode()
    assert "unfamiliar" not in page
    assert "many digits" not in page
    client.force_login(charlie)
    assert client.get(f"/conversations/{their_request.pk}/").status_code == 404
    assert "many digits" not in client.get("/conversations/requests/later/").text


def test_strong_signals_hold_the_request_in_later_without_a_request_event(
    newcomer, alice, django_capture_on_commit_callbacks, live_events
):
    share_community(alice, newcomer)
    live_events.listen(alice)

    with django_capture_on_commit_callbacks(execute=True):
        conversation = actions.request_conversation(by=newcomer, to=alice, message="hi")

    assert conversation.tray == Conversation.Tray.LATER
    assert live_events.received() == []


def test_one_signal_alone_leaves_the_request_in_requests_with_its_event(
    alice, bob, django_capture_on_commit_callbacks, live_events
):
    share_community(alice, bob)
    live_events.listen(alice)

    with django_capture_on_commit_callbacks(execute=True):
        conversation = actions.request_conversation(by=bob, to=alice, message="hi")

    assert codes(conversation) == ["new_account"]
    assert conversation.tray == Conversation.Tray.REQUESTS
    assert live_events.received() == [
        {"type": "conversation.request", "conversation": conversation.pk}
    ]


def test_an_older_account_in_a_shared_community_carries_no_signal(alice, bob):
    Member.objects.filter(pk=bob.pk).update(
        joined_at=timezone.now() - timedelta(days=90)
    )
    bob.refresh_from_db()
    share_community(alice, bob)

    conversation = actions.request_conversation(by=bob, to=alice, message="hi")

    assert conversation.signals == []


def test_no_shared_community_shows_when_anyone_may_ask(alice, bob):
    Member.objects.filter(pk=alice.pk).update(who_may_ask=Member.WhoMayAsk.ANYONE)
    alice.refresh_from_db()

    conversation = actions.request_conversation(by=bob, to=alice, message="hi")

    assert codes(conversation) == ["new_account", "no_shared_community"]
    assert conversation.tray == Conversation.Tray.LATER


def test_often_declined_shows_after_three_of_the_last_five_were_turned_away(alice):
    # Level 1: five requests fit in its daily limit.
    sender = MemberFactory(handle="persistent", trust_level=1)
    others = MemberFactory.create_batch(4)
    share_community(sender, alice, *others)
    for number, other in enumerate(others):
        request = actions.request_conversation(by=sender, to=other, message="hi")
        if number < 2:
            actions.decline_conversation(request, by=other)
        elif number == 2:
            Conversation.objects.filter(pk=request.pk).update(
                state=Conversation.State.EXPIRED
            )

    conversation = actions.request_conversation(by=sender, to=alice, message="hi")

    assert "often_declined" in codes(conversation)


def test_often_declined_does_not_show_after_two(alice):
    sender = MemberFactory(handle="patient", trust_level=1)
    others = MemberFactory.create_batch(4)
    share_community(sender, alice, *others)
    for other in others[:2]:
        request = actions.request_conversation(by=sender, to=other, message="hi")
        actions.decline_conversation(request, by=other)

    conversation = actions.request_conversation(by=sender, to=alice, message="hi")

    assert "often_declined" not in codes(conversation)


def _sign_up(client, number, address):
    return client.post(
        SIGNUP_URL,
        data={
            "handle": f"burst_{chr(ord('a') + number)}",
            "email": f"burst{number}@example.org",
            "password": "a quiet fireside",
            "display_name": "Burst",
        },
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_signup_stores_a_keyed_hash_of_the_network_never_the_address(client, db):
    assert _sign_up(client, 0, "203.0.113.7").status_code == 201

    member = Member.objects.get(handle="burst_a")
    expected = hmac.new(
        settings.SECRET_KEY.encode(), b"203.0.113.7", hashlib.sha256
    ).hexdigest()
    assert member.signup_network == expected
    stored = [
        str(value) for value in Member.objects.filter(pk=member.pk).values()[0].values()
    ]
    assert not [value for value in stored if "203.0.113" in value]


def test_signup_burst_shows_for_the_fifth_account_from_one_network(client, alice):
    Member.objects.filter(pk=alice.pk).update(who_may_ask=Member.WhoMayAsk.ANYONE)
    for number in range(5):
        assert _sign_up(client, number, "198.51.100.20").status_code == 201
    assert _sign_up(client, 9, "198.51.100.99").status_code == 201
    alice.refresh_from_db()

    from_burst = actions.request_conversation(
        by=Member.objects.get(handle="burst_a"), to=alice, message="hi"
    )
    from_elsewhere = actions.request_conversation(
        by=Member.objects.get(handle="burst_j"), to=alice, message="hi"
    )

    assert "signup_burst" in codes(from_burst)
    assert "signup_burst" not in codes(from_elsewhere)


def test_signup_burst_leaves_out_accounts_from_other_days(alice):
    network = "f" * 64
    long_ago = timezone.now() - timedelta(days=30)
    for _ in range(4):
        MemberFactory(signup_network=network, joined_at=long_ago)
    sender = MemberFactory(signup_network=network)
    share_community(alice, sender)

    conversation = actions.request_conversation(by=sender, to=alice, message="hi")

    assert "signup_burst" not in codes(conversation)


@pytest.mark.django_db
def test_demo_holds_a_digit_heavy_new_accounts_request_in_adas_later_tray(settings):
    settings.DEBUG = True
    call_command("load_demo")

    held = Conversation.objects.get(initiator__handle=DEMO_SENDER)

    assert held.recipient.handle == "ada"
    assert held.tray == Conversation.Tray.LATER
    assert codes(held) == ["new_account", "many_digits"]

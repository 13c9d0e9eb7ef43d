import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.connections import actions
from fireside.connections.models import AuditNotice, Connection, ConnectionOffer
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation

from .conftest import backdate, connect, talk

PAGES = [
    "/connections/",
    "/connections/audit/",
    "/settings/reminders/",
    "/connections/@bob/let-go/",
    "/connections/@bob/reconnect/",
]


@pytest.mark.parametrize("path", PAGES)
def test_connection_pages_send_anonymous_visitors_to_log_in(client, connected, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_offer_from_the_conversation_page_then_accept_from_the_list(
    client, talked, alice, bob
):
    client.force_login(alice)
    page = client.get(f"/conversations/{talked.pk}/").text
    assert 'action="/connections/offer/"' in page

    offered = client.post(
        "/connections/offer/", {"handle": "bob", "conversation": talked.pk}
    )
    assert offered.status_code == 302
    assert offered["Location"] == f"/conversations/{talked.pk}/"
    assert "You offered to keep in touch" in client.get(offered["Location"]).text

    client.force_login(bob)
    listing = client.get("/connections/").text
    assert "Offers to keep in touch" in listing
    accepted = client.post("/connections/@alice/accept/")

    assert accepted.status_code == 302
    assert Connection.objects.count() == 2
    assert "Alice Ames" in client.get("/connections/").text


def test_offer_from_a_profile_page(client, talked, alice, bob):
    client.force_login(alice)
    assert 'action="/connections/offer/"' in client.get("/@bob/").text

    response = client.post("/connections/offer/", {"handle": "bob"})

    assert response["Location"] == "/@bob/"
    assert ConnectionOffer.objects.filter(from_member=alice, to_member=bob).exists()


def test_no_offer_button_before_both_wrote(client, alice, bob):
    conversation = talk(alice, bob, turns=1)
    client.force_login(alice)

    page = client.get(f"/conversations/{conversation.pk}/").text
    refused = client.post("/connections/offer/", {"handle": "bob"})

    assert 'action="/connections/offer/"' not in page
    assert refused.status_code == 403
    assert "both wrote" in refused.text


def test_connection_list_shows_only_ones_own_and_no_counts(client, connected, charlie):
    client.force_login(charlie)

    page = client.get("/connections/").text

    assert "No connections yet" in page
    assert "Bob" not in page
    assert "Alice" not in page
    assert not re.search(r"\d+\s*connection", page)


def test_let_go_page_then_post_removes_it_quietly(client, connected, alice, bob):
    client.force_login(alice)

    confirm = client.get("/connections/@bob/let-go/")
    done = client.post("/connections/@bob/let-go/")

    assert confirm.status_code == 200
    assert "not told" in confirm.text
    assert done.status_code == 302
    assert not Connection.objects.exists()


def test_let_go_of_someone_else_is_404(client, connected, charlie):
    client.force_login(charlie)

    assert client.get("/connections/@bob/let-go/").status_code == 404
    assert client.post("/connections/@bob/let-go/").status_code == 404
    assert Connection.objects.count() == 2


def test_audit_page_marks_dormant_connections_with_prompts(client, alice, bob, charlie):
    old = talk(alice, bob)
    connect(alice, bob)
    conversations.archive_conversation(old, by=alice)
    backdate(old, 100)
    talk(alice, charlie)
    connect(alice, charlie)
    AuditNotice.objects.create(member=alice)
    client.force_login(alice)

    page = client.get("/connections/audit/").text

    assert 'data-state="dormant"' in page
    assert 'data-state="active"' in page
    assert "/connections/@bob/reconnect/" in page
    assert "/connections/@bob/let-go/" in page
    assert "/connections/@charlie/reconnect/" not in page
    # Opening the audit puts its reminder away.
    assert not AuditNotice.objects.visible_to(alice).exists()


def test_audit_page_of_a_stranger_shows_only_their_own(client, connected, charlie):
    client.force_login(charlie)

    page = client.get("/connections/audit/").text

    assert "No connections yet" in page
    assert "Bob" not in page


def test_reconnect_prefills_a_request_with_the_old_conversation(client, alice, bob):
    old = talk(alice, bob)
    connect(alice, bob)
    conversations.archive_conversation(old, by=alice)
    backdate(old, 100)
    client.force_login(alice)

    form = client.get("/connections/@bob/reconnect/").text
    sent = client.post(
        "/connections/@bob/reconnect/",
        {"message": "Picking up from our last conversation: how are the hives?"},
    )

    assert "Picking up from our" in form
    assert f"/conversations/{old.pk}/" in form
    assert sent.status_code == 302
    new = Conversation.objects.exclude(pk=old.pk).get()
    assert new.state == "requested"
    assert new.recipient == bob


def test_reconnect_respects_who_may_ask(client, alice, bob):
    old = talk(alice, bob)
    connect(alice, bob)
    conversations.archive_conversation(old, by=alice)
    conversations.set_requests_paused(bob, paused=True)
    client.force_login(alice)

    response = client.post("/connections/@bob/reconnect/", {"message": "Hello"})

    assert response.status_code == 403
    assert "not taking requests" in response.text


def test_reconnect_with_an_open_conversation_goes_to_it(client, connected, alice):
    client.force_login(alice)

    response = client.get("/connections/@bob/reconnect/")

    assert response["Location"] == f"/conversations/{connected.pk}/"


def test_inbox_reminds_of_conversations_waiting_on_you_for_3_days(
    client, alice, bob, charlie
):
    waiting = talk(alice, bob, turns=2, days_ago=4)
    talk(alice, charlie, turns=3, days_ago=5)  # charlie's turn
    client.force_login(alice)

    page = client.get("/conversations/").text

    reminders = page[page.index('data-testid="turn-reminders"') :]
    reminders = reminders[: reminders.index("</aside>")]
    assert f"/conversations/{waiting.pk}/" in reminders
    assert "Charlie" not in reminders


def test_inbox_has_no_reminder_for_the_other_sides_turn(client, alice, bob):
    talk(alice, bob, turns=2, days_ago=4)  # alice's turn
    client.force_login(bob)

    assert 'data-testid="turn-reminders"' not in client.get("/conversations/").text


def test_home_shows_the_audit_reminder_until_put_away(client, connected, alice):
    AuditNotice.objects.create(member=alice)
    client.force_login(alice)

    shown = client.get("/").text
    client.post("/connections/audit/notice/dismiss/")
    after = client.get("/").text

    assert 'data-testid="audit-notice"' in shown
    assert 'data-testid="audit-notice"' not in after


def test_reminder_settings_page_switches_the_digest_on(client, alice):
    client.force_login(alice)

    page = client.get("/settings/reminders/").text
    saved = client.post(
        "/settings/reminders/", {"audit_reminder": "on", "email_digest": "on"}
    )

    assert 'name="email_digest"' in page
    assert 'name="email_digest" checked' not in page  # off by default
    assert saved.status_code == 302
    assert actions.reminder_settings_of(alice).email_digest is True
    assert "/settings/reminders/" in client.get("/settings/").text


def test_decline_from_the_list_is_quiet(client, talked, alice, bob):
    actions.offer_connection(bob, by=alice)
    client.force_login(bob)

    response = client.post("/connections/@alice/decline/")

    assert response.status_code == 302
    assert "Offers to keep in touch" not in client.get("/connections/").text
    client.force_login(alice)
    assert "Bob Brandt" in client.get("/connections/").text  # still reads as offered


def test_offer_refuses_get(client, alice):
    client.force_login(alice)

    assert client.get("/connections/offer/").status_code == 405


def test_since_line_falls_between_new_and_old_dialogues(client, connected, alice, bob):
    from fireside.accounts.tests.factories import MemberFactory
    from fireside.feed.models import FeedVisit

    from .conftest import publish

    old = publish(bob, MemberFactory(), days_ago=1)
    new = publish(bob, MemberFactory())
    FeedVisit.objects.create(member=alice, seen_at=timezone.now() - timedelta(hours=1))
    client.force_login(alice)

    page = client.get("/").text

    assert page.index(f'id="dialogue-{new.pk}-title"') < page.index("Since your last")
    assert page.index("Since your last") < page.index(f'id="dialogue-{old.pk}-title"')

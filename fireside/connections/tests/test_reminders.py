import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from fireside.connections import actions, queries
from fireside.connections.models import AuditNotice, Connection, ReminderSettings
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation
from fireside.conversations.tests.factories import share_community
from fireside.core.schedule import SCHEDULE

from .conftest import backdate, connect, talk


def test_waiting_on_lists_conversations_waiting_on_the_member_for_3_days(
    alice, bob, charlie
):
    waiting = talk(alice, bob, turns=2, days_ago=4)  # bob wrote last: alice's turn
    talk(alice, charlie, turns=2, days_ago=2)  # alice's turn, but only 2 days

    assert list(queries.waiting_on(alice)) == [waiting]


def test_waiting_on_never_reminds_of_the_other_sides_turn(alice, bob):
    talk(alice, bob, turns=2, days_ago=10)  # bob wrote last

    assert list(queries.waiting_on(bob)) == []


def test_waiting_on_leaves_out_requests_and_archived_conversations(alice, bob, charlie):
    archived = talk(alice, bob, turns=2, days_ago=5)
    conversations.archive_conversation(archived, by=alice)
    share_community(charlie, alice)
    request = conversations.request_conversation(by=charlie, to=alice, message="Hello?")
    backdate(request, 5)

    assert list(queries.waiting_on(alice)) == []


def test_digest_is_off_by_default(alice, bob, mailoutbox):
    talk(alice, bob, turns=2, days_ago=4)

    assert actions.send_turn_digests() == 0
    assert mailoutbox == []
    assert actions.reminder_settings_of(alice).email_digest is False
    assert actions.reminder_settings_of(alice).audit_reminder is True


def test_digest_mails_the_conversations_waiting_on_the_member(
    alice, bob, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    waiting = talk(alice, bob, turns=2, days_ago=4)
    talk(alice, charlie, turns=3, days_ago=6)  # alice wrote last: charlie's turn
    actions.set_reminder_settings(alice, audit_reminder=True, email_digest=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_turn_digests() == 1

    [mail] = mailoutbox
    assert mail.to == [alice.email]
    assert "waiting on you" in mail.subject
    text = mail.body
    assert "Bob Brandt (@bob)" in text
    assert f"/conversations/{waiting.pk}/" in text
    assert "charlie" not in text.lower()
    assert "/settings/reminders/" in text
    html = mail.alternatives[0][0]
    assert f"/conversations/{waiting.pk}/" in html


def test_digest_goes_once_a_day_however_often_the_task_runs(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    talk(alice, bob, turns=2, days_ago=4)
    actions.set_reminder_settings(alice, audit_reminder=True, email_digest=True)

    with django_capture_on_commit_callbacks(execute=True):
        actions.send_turn_digests()
        actions.send_turn_digests()
    assert len(mailoutbox) == 1

    ReminderSettings.objects.filter(member=alice).update(
        digest_sent_at=timezone.now() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_turn_digests()
    assert len(mailoutbox) == 2


def test_digest_sends_nothing_when_nothing_waits(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    talk(alice, bob, turns=2, days_ago=1)
    actions.set_reminder_settings(alice, audit_reminder=True, email_digest=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_turn_digests() == 0
    assert mailoutbox == []


def _connected_long_ago(one, other, days=40):
    talk(one, other)
    connect(one, other)
    Connection.objects.update(connected_at=timezone.now() - timedelta(days=days))


def test_audit_reminder_leaves_a_notice_once_a_month(alice, bob, mailoutbox):
    _connected_long_ago(alice, bob)

    assert actions.remind_audits() == 2
    assert actions.remind_audits() == 0

    assert AuditNotice.objects.visible_to(alice).count() == 1
    assert mailoutbox == []  # no mail unless the digest is on
    ReminderSettings.objects.update(
        audit_reminded_at=timezone.now() - timedelta(days=31)
    )
    assert actions.remind_audits() == 2
    assert AuditNotice.objects.visible_to(alice).count() == 1  # still the one


def test_audit_reminder_waits_a_month_after_the_first_connection(alice, bob):
    talk(alice, bob)
    connect(alice, bob)

    assert actions.remind_audits() == 0


def test_audit_reminder_can_be_switched_off(alice, bob):
    _connected_long_ago(alice, bob)
    actions.set_reminder_settings(alice, audit_reminder=False, email_digest=False)

    actions.remind_audits()

    assert not AuditNotice.objects.visible_to(alice).exists()
    assert AuditNotice.objects.visible_to(bob).exists()


def test_audit_reminder_mails_too_when_the_digest_is_on(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    _connected_long_ago(alice, bob)
    actions.set_reminder_settings(alice, audit_reminder=True, email_digest=True)

    with django_capture_on_commit_callbacks(execute=True):
        actions.remind_audits()

    [mail] = mailoutbox
    assert mail.to == [alice.email]
    assert "/connections/audit/" in mail.body


def test_the_schedule_runs_both_reminders(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    tasks = {entry.task for entry in SCHEDULE}
    assert "fireside.connections.tasks.send_turn_reminder_digests" in tasks
    assert "fireside.connections.tasks.send_audit_reminders" in tasks
    _connected_long_ago(alice, bob)
    Conversation.objects.update(last_message_at=timezone.now() - timedelta(days=5))
    actions.set_reminder_settings(alice, audit_reminder=True, email_digest=True)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_schedule", "--once", stdout=io.StringIO())

    subjects = sorted(mail.subject for mail in mailoutbox)
    assert len(subjects) == 2
    assert AuditNotice.objects.visible_to(bob).exists()

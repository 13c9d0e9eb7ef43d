from django.tasks import task

from fireside.connections.actions import remind_audits, send_turn_digests


@task()
def send_turn_reminder_digests() -> int:
    """Mail the daily "your turn" digest to members who chose it; safe to run again."""
    return send_turn_digests()


@task()
def send_audit_reminders() -> int:
    """Leave the monthly audit reminders that are due; safe to run any number of times."""
    return remind_audits()

from django.tasks import task

from fireside.moderation.actions import lapse_overdue_actions


@task()
def expire_pending_actions() -> int:
    """Mark actions nobody confirmed within 72 hours as lapsed; safe to run any number
    of times (reads already treat them as lapsed)."""
    return lapse_overdue_actions()

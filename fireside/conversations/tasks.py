from django.tasks import task

from fireside.conversations.actions import expire_requests


@task()
def expire_old_requests() -> int:
    """Expire unanswered requests; safe to run any number of times."""
    return expire_requests()

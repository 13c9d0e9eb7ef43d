import logging
from datetime import timedelta
from typing import Any

from django.tasks import task
from django.utils import timezone

from fireside.core.mail import build_mail

logger = logging.getLogger(__name__)
MAIL_ATTEMPTS = 6


@task()
def retry_mail(
    to: str, template: str, context: dict[str, Any], attempt: int = 1
) -> None:
    """Send a mail whose first attempt failed; on failure queue the next try, later each time."""
    try:
        build_mail(to, template, context).send()
    except Exception:
        if attempt >= MAIL_ATTEMPTS or not retry_mail.get_backend().supports_defer:
            logger.error(
                "Giving up on a mail after %d attempts", attempt, exc_info=True
            )
            raise
        delay = timedelta(minutes=2**attempt)
        retry_mail.using(run_after=timezone.now() + delay).enqueue(
            to, template, context, attempt + 1
        )

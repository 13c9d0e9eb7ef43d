"""Outgoing mail. A mail is rendered from templates and sent after the transaction commits;
if sending fails it is handed to a background task that retries, so no mail is lost to a
passing SMTP fault and no request waits on a retry."""

import logging
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)


class EmlFileBackend(BaseEmailBackend):
    """Write each message to its own `.eml` file in the folder PATH (development)."""

    def __init__(self, *, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = Path(path)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = self.path
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            partial = path.with_suffix(".tmp")
            partial.write_bytes(_readable_bytes(message))
            # Renamed into place so a reader never sees half a message.
            partial.rename(path)
        return len(email_messages)


def _readable_bytes(message: EmailMessage) -> bytes:
    """The message with its text parts in 8-bit, so that a person (or a test) reading the
    file sees links whole instead of quoted-printable fragments."""
    mime = message.message()
    for part in mime.walk():
        if part.get_content_maintype() == "text" and hasattr(part, "get_content"):
            body = part.get_content()
            part.set_content(body, subtype=part.get_content_subtype(), cte="8bit")
    return mime.as_bytes()


def build_mail(
    to: str, template: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html`."""
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        **context,
    }
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    mail.attach_alternative(html, "text/html")
    return mail


def send_mail_on_commit(to: str, template: str, context: dict[str, Any]) -> None:
    """Send a templated mail once the current transaction commits.

    Context values must be plain data (str, int) so that a failed send can be queued.
    Nothing is sent to an empty address (remote members have none).
    """
    if not to:
        return

    def deliver() -> None:
        try:
            build_mail(to, template, context).send()
        except Exception:
            logger.warning("Mail to a member failed; queued for retry", exc_info=True)
            from fireside.core.tasks import retry_mail

            retry_mail.enqueue(to, template, context)

    transaction.on_commit(deliver)

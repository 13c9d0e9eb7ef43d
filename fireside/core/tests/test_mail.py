import email
import logging
import re
import socket
from datetime import timedelta
from email import policy

import pytest
from django.tasks import TaskResultStatus, task_backends
from django.tasks.signals import task_finished
from django.utils import timezone

from fireside.accounts.models import Member
from fireside.core.mail import send_mail_on_commit
from fireside.core.tasks import MAIL_ATTEMPTS, retry_mail

pytestmark = pytest.mark.django_db

SIGNUP = {
    "handle": "zoe",
    "display_name": "Zoë Zimmer",
    "email": "zoe@example.org",
    "password": "a quiet fireside",
}
LONG_LINK = (
    "https://fireside.example/reset/" + "MQ" * 10 + "/" + "c0ffee-" * 20 + "end/"
)


@pytest.fixture
def eml_folder(settings, tmp_path):
    folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "fireside.core.mail.EmlFileBackend",
            "OPTIONS": {"path": str(folder)},
        }
    }
    return folder


@pytest.fixture
def smtp_port():
    """A local port nothing listens on: bound, then released before the test connects."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broken_smtp(settings, smtp_port):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": smtp_port,
                "use_tls": False,
                "timeout": 5,
            },
        }
    }


@pytest.fixture
def finished_tasks():
    results = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    task_finished.connect(record)
    yield results
    task_finished.disconnect(record)


def _read(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def _send_reset_mail(django_capture_on_commit_callbacks, to="ada@example.org"):
    context = {"display_name": "Ada", "handle": "ada", "link": LONG_LINK, "hours": 2}
    with django_capture_on_commit_callbacks(execute=True):
        send_mail_on_commit(to, "accounts/mail/reset_password", context)


# Mail to files ------------------------------------------------------------------------


def test_eml_backend_writes_one_file_per_mail(
    eml_folder, django_capture_on_commit_callbacks
):
    _send_reset_mail(django_capture_on_commit_callbacks, "ada@example.org")
    _send_reset_mail(django_capture_on_commit_callbacks, "bea@example.org")

    files = sorted(eml_folder.iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"]
    assert {_read(path)["To"] for path in files} == {
        "ada@example.org",
        "bea@example.org",
    }


def test_eml_backend_writes_a_mail_the_email_package_reads(
    eml_folder, django_capture_on_commit_callbacks, settings
):
    _send_reset_mail(django_capture_on_commit_callbacks)

    (path,) = eml_folder.iterdir()
    message = _read(path)
    assert message["Subject"] == "Choose a new password for Fireside"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert LONG_LINK in text
    assert f'<a href="{LONG_LINK}">' in html


def test_eml_backend_keeps_a_long_link_whole_in_the_raw_bytes(
    eml_folder, django_capture_on_commit_callbacks
):
    assert len(LONG_LINK) > 100  # longer than a quoted-printable or base64 line
    _send_reset_mail(django_capture_on_commit_callbacks)

    (path,) = eml_folder.iterdir()
    raw = path.read_bytes()
    # Once in the text part, twice (href and link text) in the HTML part.
    assert raw.count(LONG_LINK.encode()) == 3


def test_eml_backend_receives_the_verification_mail_of_a_sign_up(client, eml_folder):
    response = client.post("/signup/", SIGNUP)
    assert response.status_code == 302

    (path,) = eml_folder.iterdir()
    message = _read(path)
    assert message["To"] == "zoe@example.org"
    link = re.search(r"http\S+/verify/\S+/", message.get_body(("plain",)).get_content())
    assert link.group(0).encode() in path.read_bytes()
    client.post("/logout/")
    verified = client.get(link.group(0).removeprefix("http://127.0.0.1:8000"))
    assert verified.status_code == 200


# A failing SMTP server ----------------------------------------------------------------


def test_failed_smtp_send_does_not_break_the_request(client, broken_smtp, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.post("/signup/", SIGNUP)

    assert response.status_code == 302
    assert Member.objects.filter(handle="zoe").exists()
    assert client.get("/").status_code == 200
    warnings = [r for r in caplog.records if r.name == "fireside.core.mail"]
    assert [r.getMessage() for r in warnings] == [
        "Mail to a member failed; queued for retry"
    ]
    assert warnings[0].levelno == logging.WARNING
    assert isinstance(warnings[0].exc_info[1], ConnectionRefusedError)


def test_failed_smtp_send_is_handed_to_the_retry_task(
    client, broken_smtp, caplog, finished_tasks
):
    with caplog.at_level(logging.WARNING):
        client.post("/signup/", SIGNUP)

    (result,) = finished_tasks
    assert result.task.name == "retry_mail"
    to, template, context = result.args
    assert (to, template) == ("zoe@example.org", "accounts/mail/verify_email")
    assert context["handle"] == "zoe"
    assert "/verify/" in context["link"]
    # Run inline, the task cannot wait before its next try, so it gives up at once and
    # says so in the log instead of blocking the request.
    assert result.status == TaskResultStatus.FAILED
    assert "ConnectionRefusedError" in result.errors[0].exception_class_path
    give_up = [r for r in caplog.records if r.name == "fireside.core.tasks"]
    assert [r.getMessage() for r in give_up] == ["Giving up on a mail after 1 attempts"]
    assert give_up[0].levelno == logging.ERROR


def test_retry_mail_sends_once_the_server_answers(
    client, broken_smtp, settings, finished_tasks, mailoutbox
):
    client.post("/signup/", SIGNUP)
    (failed,) = finished_tasks

    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    }
    retry_mail.call(*failed.args)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["zoe@example.org"]
    assert failed.args[2]["link"] in mailoutbox[0].body


@pytest.fixture
def queued_tasks(settings):
    """Django's in-memory backend that keeps tasks instead of running them and
    supports run_after, as the database queue of a deployment does."""
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}
    }
    backend = task_backends["default"]
    yield backend.results
    backend.clear()


def test_retry_mail_tries_again_later_each_time(broken_smtp, queued_tasks):
    args = ("ada@example.org", "accounts/mail/verify_email")
    context = {"display_name": "Ada", "handle": "ada", "link": LONG_LINK, "days": 7}
    before = timezone.now()

    for attempt in range(1, MAIL_ATTEMPTS):
        retry_mail.call(*args, context, attempt)

    delays = [result.task.run_after - before for result in queued_tasks]
    assert [result.args[3] for result in queued_tasks] == list(
        range(2, MAIL_ATTEMPTS + 1)
    )
    for attempt, delay in enumerate(delays, start=1):
        expected = timedelta(minutes=2**attempt)
        assert expected <= delay < expected + timedelta(minutes=1)


def test_retry_mail_gives_up_after_the_last_attempt(broken_smtp, queued_tasks, caplog):
    context = {"display_name": "Ada", "handle": "ada", "link": LONG_LINK, "days": 7}
    with caplog.at_level(logging.ERROR), pytest.raises(ConnectionRefusedError):
        retry_mail.call(
            "ada@example.org", "accounts/mail/verify_email", context, MAIL_ATTEMPTS
        )
    assert queued_tasks == []
    assert f"Giving up on a mail after {MAIL_ATTEMPTS} attempts" in caplog.text

"""The periodic schedule: each entry names a real task, and one pass does their work."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string

from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions
from fireside.conversations.models import Conversation
from fireside.conversations.tests.factories import share_community
from fireside.core.schedule import SCHEDULE
from fireside.trust.models import TrustChange


def test_every_scheduled_entry_is_a_task():
    for entry in SCHEDULE:
        assert hasattr(import_string(entry.task), "enqueue"), entry.task


def test_one_pass_expires_old_requests_and_recomputes_levels(alice, bob):
    share_community(alice, bob)
    lapsed = actions.request_conversation(by=alice, to=bob, message="Hello?")
    Conversation.objects.filter(pk=lapsed.pk).update(
        created_at=timezone.now() - timedelta(days=15)
    )
    # Verified and two days old: level 1 is earned, but only a recompute notices.
    veteran = MemberFactory(
        trust_level=0,
        email_verified_at=timezone.now() - timedelta(days=2),
        joined_at=timezone.now() - timedelta(days=2),
    )

    call_command("run_schedule", "--once", stdout=io.StringIO())

    lapsed.refresh_from_db()
    veteran.refresh_from_db()
    assert lapsed.state == Conversation.State.EXPIRED
    assert veteran.trust_level == 1
    assert TrustChange.objects.filter(member=veteran, to_level=1).exists()

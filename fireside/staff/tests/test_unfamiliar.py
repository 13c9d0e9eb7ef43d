"""The review of recent accounts by unfamiliar-sender signals, strongest first."""

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations.models import Conversation
from fireside.staff.unfamiliar import accounts_to_review


def request(initiator, recipient, *, signals, tray="requests", state="requested"):
    low, high = sorted([initiator.pk, recipient.pk])
    return Conversation.objects.create(
        initiator=initiator,
        recipient=recipient,
        pair_low=low,
        pair_high=high,
        signals=[{"code": code, "text": code} for code in signals],
        tray=tray,
        state=state,
    )


def test_review_ranks_digit_heavy_day_old_account_with_held_requests_first(
    alice, bob, charlie
):
    now = timezone.now()
    spammer = MemberFactory(handle="deals20240", joined_at=now - timedelta(days=1))
    newcomer = MemberFactory(handle="nadia", joined_at=now - timedelta(days=3))
    veteran = MemberFactory(handle="victor", joined_at=now - timedelta(days=90))
    for recipient in (alice, bob):
        request(
            spammer,
            recipient,
            signals=["new_account", "many_digits", "no_shared_community"],
            tray="later",
        )
    request(spammer, charlie, signals=["new_account", "many_digits"], state="declined")
    request(newcomer, alice, signals=["new_account"])
    request(
        veteran, bob, signals=["no_shared_community", "often_declined"], tray="later"
    )

    ranked = accounts_to_review()

    assert [entry.member.handle for entry in ranked] == ["deals20240", "nadia"]
    top = ranked[0]
    assert top.codes == ["new_account", "many_digits", "no_shared_community"]
    assert top.held == 2
    assert top.turned_away == 1
    assert "Handle with many digits" in top.reasons
    assert "2 of their 3 recent requests went to Later" in top.reasons


def test_review_leaves_out_suspended_staff_and_quiet_accounts(alice):
    now = timezone.now()
    suspended = MemberFactory(handle="gone4444", joined_at=now, is_active=False)
    staff = MemberFactory(handle="staff1234", joined_at=now, is_staff=True)
    MemberFactory(handle="quiet9999", joined_at=now)
    request(suspended, alice, signals=["new_account", "many_digits"], tray="later")
    request(staff, alice, signals=["new_account", "many_digits"], tray="later")

    assert accounts_to_review() == []

"""Site-wide suspension: the account is logged out everywhere, its tokens stop working,
and restoring it lets it log in again. Staff only; nobody suspends themselves, and only a
superuser suspends another administrator."""

import pytest
from django.test import Client

from fireside.accounts.actions import restore_account, suspend_account
from fireside.accounts.models import ApiToken
from fireside.accounts.tests.factories import PASSWORD
from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed
from fireside.staff.models import AccountSuspension
from tests.helpers import assert_error

REASON = "Sends the same advertisement to everyone."


def test_suspend_account_logs_out_a_logged_in_browser(client, alice, staff):
    client.force_login(alice)
    assert client.get("/settings/").status_code == 200

    suspend_account(alice, by=staff, reason=REASON)

    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_suspend_account_deletes_the_members_sessions_only(alice, bob, staff):
    from django.contrib.sessions.models import Session

    for member in (alice, alice, bob):
        Client().force_login(member)
    assert Session.objects.count() == 3

    suspend_account(alice, by=staff, reason=REASON)

    assert Session.objects.count() == 1


def test_suspend_account_refuses_tokens(api_client, alice, staff):
    as_alice = api_client.as_member(alice)
    assert as_alice.get("me").status_code == 200

    suspend_account(alice, by=staff, reason=REASON)

    assert_error(as_alice.get("me"), 401, "not_authenticated")
    assert not ApiToken.objects.owned_by(alice).live().exists()


def test_suspended_member_cannot_log_in_until_restored(client, alice, staff, password):
    suspend_account(alice, by=staff, reason=REASON)
    login = {"login": "alice", "password": password}
    assert client.post("/login/", login).status_code == 401

    restore_account(alice, by=staff)

    response = client.post("/login/", login)
    assert response.status_code == 302
    assert client.get("/settings/").status_code == 200
    suspension = AccountSuspension.objects.get()
    assert suspension.lifted_by == staff
    assert suspension.reason == REASON


def test_suspend_account_records_who_and_why(alice, staff):
    suspension = suspend_account(alice, by=staff, reason=f"  {REASON} ")

    assert suspension.member == alice
    assert suspension.by == staff
    assert suspension.reason == REASON
    assert suspension.is_current
    alice.refresh_from_db()
    assert not alice.is_active


def test_suspend_account_is_for_staff_only(alice, bob):
    with pytest.raises(NotFound):
        suspend_account(alice, by=bob, reason=REASON)
    alice.refresh_from_db()
    assert alice.is_active


def test_suspend_account_refuses_own_account(staff):
    with pytest.raises(NotAllowed) as refusal:
        suspend_account(staff, by=staff, reason=REASON)
    assert refusal.value.code == "own_account"


def test_suspend_account_of_staff_needs_a_superuser(staff, superuser, db):
    from fireside.accounts.tests.factories import MemberFactory

    other = MemberFactory(handle="tess", is_staff=True)
    with pytest.raises(NotAllowed) as refusal:
        suspend_account(other, by=staff, reason=REASON)
    assert refusal.value.code == "staff_account"

    suspend_account(other, by=superuser, reason=REASON)
    other.refresh_from_db()
    assert not other.is_active


def test_suspend_account_refuses_twice_and_missing_reason(alice, staff):
    with pytest.raises(ValidationFailed) as missing:
        suspend_account(alice, by=staff, reason=" ")
    assert "reason" in missing.value.errors
    suspend_account(alice, by=staff, reason=REASON)
    with pytest.raises(ValidationFailed) as twice:
        suspend_account(alice, by=staff, reason=REASON)
    assert twice.value.code == "already_suspended"


def test_restore_account_refuses_an_active_account(alice, staff):
    with pytest.raises(ValidationFailed) as refusal:
        restore_account(alice, by=staff)
    assert refusal.value.code == "not_suspended"


def test_restored_member_logs_in_with_the_same_password(alice, staff):
    suspend_account(alice, by=staff, reason=REASON)
    restore_account(alice, by=staff)

    assert Client().login(username="alice", password=PASSWORD)


def test_suspending_a_lead_passes_the_lead_to_a_moderator(alice, bob, staff):
    from fireside.communities.models import Membership
    from fireside.communities.tests.factories import CommunityFactory, MembershipFactory

    hearth = CommunityFactory(slug="hearth-lead", created_by=alice)
    MembershipFactory(community=hearth, member=bob, role=Membership.Role.MODERATOR)

    suspend_account(alice, by=staff, reason=REASON)

    roles = dict(
        Membership.objects.filter(community=hearth).values_list(
            "member__handle", "role"
        )
    )
    assert roles == {"alice": "moderator", "bob": "lead"}

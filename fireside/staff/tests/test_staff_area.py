"""The staff area's pages and API: the instance's administrators only, 404 for every
other member (and a log-in for visitors)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.staff.models import AccountSuspension
from fireside.staff.tests.test_unfamiliar import request
from tests.helpers import assert_error, field_error

PAGES = [
    "/staff/",
    "/staff/appeals/",
    "/staff/suspensions/",
    "/staff/suspend/?handle=alice",
    "/staff/accounts/unfamiliar/",
]


@pytest.mark.parametrize("path", PAGES)
def test_staff_pages_are_not_found_for_members(client, alice, path):
    client.force_login(alice)

    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_staff_pages_open_for_staff(staff_client, alice, path):
    assert staff_client.get(path).status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_staff_pages_ask_visitors_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_staff_link_shows_in_the_nav_for_staff_only(client, staff_client, alice):
    assert b'href="/staff/"' in staff_client.get("/settings/").content
    client.force_login(alice)
    assert b'href="/staff/"' not in client.get("/settings/").content


def test_staff_suspend_page_confirms_then_suspends(staff_client, alice):
    page = staff_client.get("/staff/suspend/?handle=alice")
    assert b"Suspend @alice?" in page.content

    response = staff_client.post(
        "/staff/suspend/", {"handle": "alice", "reason": "Spam in every request."}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    listing = staff_client.get("/staff/suspensions/")
    assert b"Spam in every request." in listing.content


def test_staff_suspend_page_requires_a_reason(staff_client, alice):
    response = staff_client.post("/staff/suspend/", {"handle": "alice", "reason": ""})

    assert response.status_code == 400
    assert "Say why" in field_error(response, "reason")
    alice.refresh_from_db()
    assert alice.is_active


def test_staff_suspend_page_refuses_another_administrator(staff_client, staff):
    other = MemberFactory(handle="tess", is_staff=True)

    page = staff_client.get("/staff/suspend/?handle=tess")
    assert b"Only a superuser" in page.content
    response = staff_client.post("/staff/suspend/", {"handle": "tess", "reason": "x"})

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.is_active


def test_staff_restore_button_lifts_the_suspension(staff_client, staff, alice):
    staff_client.post("/staff/suspend/", {"handle": "alice", "reason": "Spam."})

    response = staff_client.post("/staff/restore/", {"handle": "alice"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.is_active
    assert AccountSuspension.objects.get().lifted_by == staff


def test_staff_review_page_lists_reasons_and_a_suspend_link(staff_client, alice):
    spammer = MemberFactory(
        handle="deals20240", joined_at=timezone.now() - timedelta(days=1)
    )
    request(spammer, alice, signals=["new_account", "many_digits"], tray="later")

    page = staff_client.get("/staff/accounts/unfamiliar/")

    assert b"@deals20240" in page.content
    assert b"Handle with many digits" in page.content
    assert b"/staff/suspend/?handle=deals20240" in page.content


# The API ------------------------------------------------------------------------------

API_CALLS = [
    ("get", "staff/accounts/unfamiliar", None),
    ("post", "staff/accounts/bob/suspend", {"reason": "Spam."}),
    ("post", "staff/accounts/bob/restore", None),
    ("get", "staff/suspensions", None),
]


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_staff_api_is_not_found_for_members(api_client, alice, bob, method, path, body):
    client = api_client.as_member(alice)
    kwargs = {"json": body} if body is not None else {}

    assert_error(getattr(client, method)(path, **kwargs), 404, "not_found")
    bob.refresh_from_db()
    assert bob.is_active


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_staff_api_asks_visitors_for_credentials(api_client, bob, method, path, body):
    kwargs = {"json": body} if body is not None else {}

    assert_error(getattr(api_client, method)(path, **kwargs), 401, "not_authenticated")


def test_staff_api_suspends_lists_and_restores(api_client, staff, bob):
    as_staff = api_client.as_member(staff)

    created = as_staff.post("staff/accounts/bob/suspend", json={"reason": "Spam."})
    assert created.status_code == 201, created.content
    assert created.json()["handle"] == "bob"
    assert created.json()["by"] == "sam"
    (current,) = as_staff.get("staff/suspensions").json()
    assert current["reason"] == "Spam."
    assert_error(
        as_staff.post("staff/accounts/bob/suspend", json={"reason": "Again."}),
        400,
        "already_suspended",
    )

    restored = as_staff.post("staff/accounts/bob/restore")
    assert restored.status_code == 200, restored.content
    assert restored.json()["lifted_by"] == "sam"
    assert as_staff.get("staff/suspensions").json() == []


def test_staff_api_refuses_own_account_and_unknown_handle(api_client, staff):
    as_staff = api_client.as_member(staff)

    assert_error(
        as_staff.post("staff/accounts/sam/suspend", json={"reason": "x"}),
        403,
        "own_account",
    )
    assert_error(
        as_staff.post("staff/accounts/nobody/suspend", json={"reason": "x"}),
        404,
        "not_found",
    )


def test_staff_api_lists_unfamiliar_accounts_with_reasons(api_client, staff, alice):
    spammer = MemberFactory(
        handle="deals20240", joined_at=timezone.now() - timedelta(days=1)
    )
    request(spammer, alice, signals=["new_account", "many_digits"], tray="later")

    (item,) = api_client.as_member(staff).get("staff/accounts/unfamiliar").json()

    assert item["handle"] == "deals20240"
    assert item["codes"] == ["new_account", "many_digits"]
    assert "Handle with many digits" in item["reasons"]
    assert item["held"] == 1


def test_staff_suspend_page_asks_for_a_handle(staff_client):
    page = staff_client.get("/staff/suspend/")

    assert page.status_code == 200
    assert b'name="handle"' in page.content
    assert staff_client.get("/staff/suspend/?handle=nobody").status_code == 404


def test_staff_api_refuses_members_whatever_the_body(api_client, alice, bob):
    response = api_client.as_member(alice).post("staff/accounts/bob/suspend", json={})

    assert_error(response, 404, "not_found")


def test_staff_api_asks_administrators_for_a_reason(api_client, staff, bob):
    response = api_client.as_member(staff).post("staff/accounts/bob/suspend", json={})

    body = assert_error(response, 400, "invalid")
    assert "reason" in body["errors"]

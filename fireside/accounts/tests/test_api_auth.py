import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from fireside.accounts.actions import issue_api_token
from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from tests.helpers import assert_error, bearer

HOUR = 60 * 60
LOGIN_WINDOW = 15 * 60
NEW_PASSWORD = "embers under the kettle"


def link_path(mail, prefix):
    """The path of the one link in MAIL's text body that starts with PREFIX."""
    paths = [urlsplit(url).path for url in re.findall(r"https?://\S+", mail.body)]
    matching = [path for path in paths if path.startswith(prefix)]
    assert len(matching) == 1, mail.body
    return matching[0]


def verification_token(mail):
    return link_path(mail, "/verify/").split("/")[2]


def reset_link(mail):
    _, _, uid, token, _ = link_path(mail, "/reset/").split("/")
    return uid, token


def log_in(api_client, login, password, **kwargs):
    return api_client.post(
        "auth/token", {"login": login, "password": password}, **kwargs
    )


@pytest.fixture
def newcomer(db):
    """A member who has not opened their verification link yet."""
    return MemberFactory(
        handle="nora", email="nora@example.org", email_verified_at=None
    )


# The round trip of API.md ----------------------------------------------------------


def test_signup_to_verified_me_round_trip(api_client, client, mailoutbox):
    signup = api_client.post(
        "auth/signup",
        {
            "handle": "Ada",
            "email": "ada@example.org",
            "password": "a quiet fireside",
            "display_name": "Ada Lovelace",
        },
    )
    assert signup.status_code == 201, signup.content
    (mail,) = mailoutbox
    assert mail.to == ["ada@example.org"]

    token = log_in(api_client, "ada", "a quiet fireside")
    assert token.status_code == 200, token.content
    as_ada = bearer(api_client, token.json()["token"])
    before = as_ada.get("me")
    page = client.get(link_path(mail, "/verify/"))
    after = as_ada.get("me")

    assert before.status_code == 200
    assert {"handle", "display_name", "bio", "trust_level", "email_verified"} <= set(
        before.json()
    )
    assert before.json()["handle"] == "ada"
    assert before.json()["display_name"] == "Ada Lovelace"
    assert before.json()["email_verified"] is False
    assert page.status_code == 200
    assert after.json()["email_verified"] is True


@pytest.mark.parametrize(
    "login",
    [
        "alice",
        "Alice",
        "ALICE",
        "@alice",
        " alice ",
        "ａｌｉｃｅ",
        "alice@example.org",
        "ALICE@Example.org",
    ],
)
def test_token_logs_in_by_handle_in_any_form_or_by_email(
    api_client, alice, password, login
):
    response = log_in(api_client, login, password)

    assert response.status_code == 200, response.content
    secret = response.json()["token"]
    assert secret.startswith("fs_")
    me = bearer(api_client, secret).get("me")
    assert me.json()["handle"] == "alice"


def test_token_refuses_a_wrong_password(api_client, alice):
    response = log_in(api_client, "alice", "not the password")

    assert_error(response, 401, "invalid_credentials")
    assert "token" not in response.json()


def test_token_answers_an_unknown_login_like_a_wrong_password(api_client, alice):
    wrong_password = log_in(api_client, "alice", "not the password")
    unknown_handle = log_in(api_client, "nobody", "not the password")
    unknown_email = log_in(api_client, "nobody@example.org", "not the password")

    assert unknown_handle.status_code == unknown_email.status_code == 401
    assert unknown_handle.json() == unknown_email.json() == wrong_password.json()


def test_token_refuses_an_inactive_member(api_client, alice, password):
    Member.objects.filter(pk=alice.pk).update(is_active=False)

    assert_error(log_in(api_client, "alice", password), 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("login", "secret", "field"),
    [("", "a quiet fireside evening", "login"), ("alice", "", "password")],
)
def test_token_names_an_empty_field(api_client, alice, login, secret, field):
    body = assert_error(log_in(api_client, login, secret), 400, "invalid")

    assert set(body["errors"]) == {field}


@pytest.mark.parametrize("login", ["alice\x00", "alice\x00@example.org"])
def test_token_answers_a_nul_character_with_401(api_client, alice, password, login):
    # PostgreSQL cannot compare text holding NUL; the look-up must not reach it.
    assert_error(log_in(api_client, login, password), 401, "invalid_credentials")


# Email verification ---------------------------------------------------------------


def test_verification_link_works_once(api_client, client, newcomer, mailoutbox):
    assert api_client.as_member(newcomer).post("auth/verification").status_code == 202
    (mail,) = mailoutbox
    path = link_path(mail, "/verify/")

    first = client.get(path)
    second = client.get(path)
    by_api = api_client.post("auth/verify", {"token": verification_token(mail)})

    assert first.status_code == 200
    assert second.status_code == 400
    assert "already used" in second.content.decode()
    body = assert_error(by_api, 400, "token_used")
    assert "already used" in body["errors"]["token"][0]


def test_verification_by_api_marks_the_email_verified(api_client, newcomer, mailoutbox):
    api_client.as_member(newcomer).post("auth/verification")

    response = api_client.post(
        "auth/verify", {"token": verification_token(mailoutbox[0])}
    )

    assert response.status_code == 200, response.content
    assert response.json()["email_verified"] is True
    newcomer.refresh_from_db()
    assert newcomer.is_email_verified


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: token.split(":")[0],
        lambda token: "",
    ],
    ids=["signature", "payload", "unsigned", "empty"],
)
def test_verification_refuses_a_tampered_token(
    api_client, client, newcomer, mailoutbox, tamper
):
    api_client.as_member(newcomer).post("auth/verification")
    token = tamper(verification_token(mailoutbox[0]))

    by_api = api_client.post("auth/verify", {"token": token})
    page = client.get(f"/verify/{token}/") if token else None

    body = assert_error(by_api, 400, "token_invalid")
    assert set(body["errors"]) == {"token"}
    if page is not None:
        assert page.status_code == 400
    newcomer.refresh_from_db()
    assert not newcomer.is_email_verified


def test_verification_refuses_an_expired_token(
    api_client, newcomer, mailoutbox, clock, settings
):
    api_client.as_member(newcomer).post("auth/verification")
    clock.advance(settings.EMAIL_VERIFICATION_TIMEOUT + 1)

    response = api_client.post(
        "auth/verify", {"token": verification_token(mailoutbox[0])}
    )

    assert_error(response, 400, "token_expired")
    newcomer.refresh_from_db()
    assert not newcomer.is_email_verified


def test_verification_refuses_a_link_sent_to_an_earlier_address(
    api_client, newcomer, mailoutbox
):
    api_client.as_member(newcomer).post("auth/verification")
    Member.objects.filter(pk=newcomer.pk).update(email="nora@elsewhere.example")

    response = api_client.post(
        "auth/verify", {"token": verification_token(mailoutbox[0])}
    )

    assert_error(response, 400, "token_invalid")


def test_resend_verification_mails_a_working_link(api_client, newcomer, mailoutbox):
    response = api_client.as_member(newcomer).post("auth/verification")

    assert response.status_code == 202
    assert response.json()["detail"]
    (mail,) = mailoutbox
    assert mail.to == ["nora@example.org"]
    verified = api_client.post("auth/verify", {"token": verification_token(mail)})
    assert verified.json()["email_verified"] is True


def test_resend_verification_refuses_a_verified_member(api_client, alice, mailoutbox):
    response = api_client.as_member(alice).post("auth/verification")

    assert_error(response, 400, "already_verified")
    assert mailoutbox == []


def test_resend_verification_refuses_the_sixth_mail_in_an_hour(
    api_client, newcomer, mailoutbox, clock
):
    as_newcomer = api_client.as_member(newcomer)
    for _ in range(5):
        assert as_newcomer.post("auth/verification").status_code == 202

    response = as_newcomer.post("auth/verification")

    body = assert_error(response, 429, "rate_limited")
    assert body["retry_after"] > 0
    assert len(mailoutbox) == 5


def test_resend_verification_needs_a_member(api_client):
    assert_error(api_client.post("auth/verification"), 401, "not_authenticated")


# Authentication on every request --------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer fs_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        {"Authorization": "fs_no-scheme"},
    ],
)
def test_me_refuses_a_caller_without_a_valid_token(api_client, alice, headers):
    response = api_client.get("me", headers=headers)

    body = assert_error(response, 401, "not_authenticated")
    assert set(body) == {"detail", "code"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_accepts_a_session_from_force_login(client, alice):
    client.force_login(alice)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["handle"] == "alice"


def test_me_accepts_a_session_from_the_login_page(client, alice, password):
    page = client.post("/login/", {"login": "ALICE", "password": password})

    response = client.get("/api/v1/me")

    assert page.status_code == 302
    assert response.status_code == 200
    assert response.json()["handle"] == "alice"


@pytest.fixture
def csrf_client(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    return browser


def test_session_write_without_csrf_token_is_refused(csrf_client, alice):
    response = csrf_client.patch(
        "/api/v1/me",
        data={"bio": "Written by another site"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert {"detail", "code"} <= set(response.json())
    alice.refresh_from_db()
    assert alice.bio == ""


def test_session_write_with_csrf_token_is_accepted(csrf_client, alice):
    csrf_client.get("/settings/profile/")
    csrf_token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.patch(
        "/api/v1/me",
        data={"bio": "Written here"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token},
    )

    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert alice.bio == "Written here"


def test_bearer_token_write_needs_no_csrf_token(alice):
    _, secret = issue_api_token(alice, name="script")
    script = Client(enforce_csrf_checks=True)

    response = script.patch(
        "/api/v1/me",
        data={"bio": "From a script"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 200, response.content


# Log-in throttling ----------------------------------------------------------------


def test_token_throttles_an_account_from_the_eleventh_failure(
    api_client, alice, password, clock
):
    answers = [log_in(api_client, "alice", "not the password") for _ in range(20)]

    assert [answer.status_code for answer in answers[:10]] == [401] * 10
    for answer in answers[10:]:
        body = assert_error(answer, 429, "rate_limited")
        assert re.search(r"Try again in \d+ minutes\.", body["detail"]), body["detail"]
        # The 15-minute window began a moment ago.
        assert LOGIN_WINDOW - 60 <= body["retry_after"] <= LOGIN_WINDOW
        assert answer.headers["Retry-After"] == str(body["retry_after"])
    right = log_in(api_client, "alice", password)
    assert_error(right, 429, "rate_limited")
    assert "token" not in right.json()


def test_token_throttle_ends_with_its_window(api_client, alice, password, clock):
    for _ in range(11):
        log_in(api_client, "alice", "not the password")

    clock.advance(LOGIN_WINDOW)

    assert log_in(api_client, "alice", password).status_code == 200


def test_token_success_resets_the_account_counter(api_client, alice, password, clock):
    for _ in range(9):
        log_in(api_client, "alice", "not the password")
    assert log_in(api_client, "alice", password).status_code == 200

    again = [log_in(api_client, "alice", "not the password") for _ in range(11)]

    assert [answer.status_code for answer in again] == [401] * 10 + [429]


def test_token_throttle_counts_an_account_by_handle_and_email_alike(
    api_client, alice, password, clock
):
    for login in [
        "alice",
        "ALICE",
        "@alice",
        "alice@example.org",
        "Alice@example.org",
    ] * 2:
        assert log_in(api_client, login, "not the password").status_code == 401

    assert log_in(api_client, "alice@example.org", password).status_code == 429


def test_token_throttle_counts_an_account_across_addresses(
    client, alice, password, clock
):
    def attempt(secret, address):
        return client.post(
            "/api/v1/auth/token",
            data={"login": "alice", "password": secret},
            content_type="application/json",
            REMOTE_ADDR=address,
        )

    for number in range(10):
        assert attempt("not the password", f"203.0.113.{number}").status_code == 401

    assert attempt(password, "198.51.100.1").status_code == 429


def test_token_throttle_applies_to_loopback_in_debug(
    api_client, alice, password, clock, settings
):
    # In DEBUG only the per-address limits spare the developer's own machine.
    settings.DEBUG = True
    for _ in range(10):
        log_in(api_client, "alice", "not the password")

    assert_error(log_in(api_client, "alice", password), 429, "rate_limited")


def test_token_throttle_spares_other_accounts(api_client, alice, bob, password, clock):
    for _ in range(11):
        log_in(api_client, "alice", "not the password")

    assert log_in(api_client, "bob", password).status_code == 200


def test_token_throttles_an_address_past_its_limit(
    client, alice, password, clock, settings
):
    # Five instead of fifty, so that the test stays quick; the rule is the same.
    settings.FIRESIDE_RATE_LIMITS = {
        **settings.FIRESIDE_RATE_LIMITS,
        "login.address": (5, LOGIN_WINDOW),
    }

    def attempt(login, secret, address="203.0.113.5"):
        return client.post(
            "/api/v1/auth/token",
            data={"login": login, "password": secret},
            content_type="application/json",
            REMOTE_ADDR=address,
        )

    for number in range(5):
        assert attempt(f"guess_{number}", "not the password").status_code == 401

    from_there = attempt("alice", password)
    from_elsewhere = attempt("alice", password, address="198.51.100.1")

    body = assert_error(from_there, 429, "rate_limited")
    assert "network" in body["detail"]
    assert from_elsewhere.status_code == 200


# Changing the password ------------------------------------------------------------


def change_password(api_client, member, current, new):
    return api_client.as_member(member).post(
        "auth/password", {"current_password": current, "new_password": new}
    )


def test_password_change_refuses_a_wrong_current_password(api_client, alice, password):
    response = change_password(api_client, alice, "not the password", NEW_PASSWORD)

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"current_password"}
    assert log_in(api_client, "alice", password).status_code == 200


@pytest.mark.parametrize(
    ("new", "reason"),
    [
        ("short", "too short"),
        ("iloveyou", "too common"),
        ("8302749165", "entirely numeric"),
        ("alice@example.org", "too similar"),
    ],
)
def test_password_change_refuses_a_weak_new_password(
    api_client, alice, password, new, reason
):
    response = change_password(api_client, alice, password, new)

    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"new_password"}
    assert reason in " ".join(body["errors"]["new_password"])
    assert log_in(api_client, "alice", password).status_code == 200


def test_password_change_replaces_the_password(api_client, alice, password):
    as_alice = api_client.as_member(alice)

    response = as_alice.post(
        "auth/password", {"current_password": password, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert response.content == b""
    assert_error(log_in(api_client, "alice", password), 401, "invalid_credentials")
    assert log_in(api_client, "alice", NEW_PASSWORD).status_code == 200
    # Tokens were granted separately and outlive the password.
    assert as_alice.get("me").status_code == 200


def test_password_change_needs_a_member(api_client):
    response = api_client.post(
        "auth/password", {"current_password": "x", "new_password": NEW_PASSWORD}
    )

    assert_error(response, 401, "not_authenticated")


# Resetting the password -----------------------------------------------------------


def request_reset(api_client, email, **kwargs):
    return api_client.post("auth/password/reset", {"email": email}, **kwargs)


def confirm_reset(api_client, uid, token, new_password=NEW_PASSWORD):
    return api_client.post(
        "auth/password/reset/confirm",
        {"uid": uid, "token": token, "new_password": new_password},
    )


def test_password_reset_answers_an_unknown_address_alike_and_mails_nothing(
    api_client, alice, mailoutbox
):
    unknown = request_reset(api_client, "nobody@example.org")
    known = request_reset(api_client, "alice@example.org")

    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert [mail.to for mail in mailoutbox] == [["alice@example.org"]]


def test_password_reset_mails_no_inactive_member(api_client, alice, mailoutbox):
    Member.objects.filter(pk=alice.pk).update(is_active=False)

    assert request_reset(api_client, "alice@example.org").status_code == 202
    assert mailoutbox == []


def test_password_reset_refuses_a_malformed_address(api_client):
    body = assert_error(request_reset(api_client, "not an address"), 400, "invalid")

    assert set(body["errors"]) == {"email"}


def test_password_reset_link_works_once(
    api_client, client, alice, password, mailoutbox
):
    request_reset(api_client, "ALICE@example.org")
    (mail,) = mailoutbox
    assert mail.to == ["alice@example.org"]
    uid, token = reset_link(mail)

    # Opening the page only shows the form; it does not use the link up.
    assert client.get(link_path(mail, "/reset/")).status_code == 200
    first = confirm_reset(api_client, uid, token)
    second = confirm_reset(api_client, uid, token, new_password="another calm evening")

    assert first.status_code == 200, first.content
    assert first.json()["detail"]
    body = assert_error(second, 400, "token_invalid")
    assert set(body["errors"]) == {"token"}
    assert_error(log_in(api_client, "alice", password), 401, "invalid_credentials")
    assert log_in(api_client, "alice", NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token: (uid, token[:-1] + ("0" if token[-1] != "0" else "1")),
        lambda uid, token: (uid, "nope"),
        lambda uid, token: ("!!", token),
        lambda uid, token: ("", token),
    ],
    ids=["token", "garbage-token", "garbage-uid", "empty-uid"],
)
def test_password_reset_refuses_a_wrong_link(
    api_client, alice, password, mailoutbox, tamper
):
    request_reset(api_client, "alice@example.org")
    uid, token = tamper(*reset_link(mailoutbox[0]))

    response = confirm_reset(api_client, uid, token)

    body = assert_error(response, 400, "token_invalid")
    assert set(body["errors"]) == {"token"}
    assert log_in(api_client, "alice", password).status_code == 200


def test_password_reset_link_of_another_member_is_refused(
    api_client, alice, bob, password, mailoutbox
):
    request_reset(api_client, "alice@example.org")
    request_reset(api_client, "bob@example.org")
    alice_uid, _ = reset_link(mailoutbox[0])
    _, bob_token = reset_link(mailoutbox[1])

    assert_error(confirm_reset(api_client, alice_uid, bob_token), 400, "token_invalid")


def test_password_reset_refuses_a_weak_new_password_and_keeps_the_link(
    api_client, alice, mailoutbox
):
    request_reset(api_client, "alice@example.org")
    uid, token = reset_link(mailoutbox[0])

    weak = confirm_reset(api_client, uid, token, new_password="iloveyou")
    strong = confirm_reset(api_client, uid, token)

    body = assert_error(weak, 400, "invalid")
    assert set(body["errors"]) == {"new_password"}
    assert strong.status_code == 200


def test_password_reset_marks_the_email_verified(api_client, newcomer, mailoutbox):
    request_reset(api_client, "nora@example.org")

    confirm_reset(api_client, *reset_link(mailoutbox[0]))

    token = log_in(api_client, "nora", NEW_PASSWORD).json()["token"]
    assert bearer(api_client, token).get("me").json()["email_verified"] is True


def test_password_reset_lifts_the_log_in_throttle(api_client, alice, mailoutbox, clock):
    for _ in range(11):
        log_in(api_client, "alice", "not the password")
    request_reset(api_client, "alice@example.org")

    confirm_reset(api_client, *reset_link(mailoutbox[0]))

    assert log_in(api_client, "alice", NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize("email", ["alice@example.org", "nobody@example.org"])
def test_password_reset_refuses_the_sixth_request_for_an_address_in_an_hour(
    api_client, alice, clock, email
):
    for _ in range(5):
        assert request_reset(api_client, email).status_code == 202

    response = request_reset(api_client, email)

    body = assert_error(response, 429, "rate_limited")
    assert 0 < body["retry_after"] <= HOUR
    assert response.headers["Retry-After"] == str(body["retry_after"])

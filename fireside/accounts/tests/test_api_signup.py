import re

import pytest

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory

SIGNUP_URL = "/api/v1/auth/signup"
HOUR = 60 * 60


def signup_data(**changes):
    data = {
        "handle": "ada",
        "email": "ada@example.org",
        "password": "a quiet fireside",
        "display_name": "Ada Lovelace",
    }
    data.update(changes)
    return data


def post_signup(client, data, **extra):
    return client.post(SIGNUP_URL, data=data, content_type="application/json", **extra)


def assert_field_error(response, field, reason):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "invalid"
    assert body["detail"]
    messages = " ".join(body["errors"][field]).lower()
    assert reason.lower() in messages, body


# Success --------------------------------------------------------------------------


def test_signup_answers_with_handle_and_display_name_only(client, db, mailoutbox):
    response = post_signup(client, signup_data(email="Ada@Example.org"))

    assert response.status_code == 201, response.content
    assert response.json() == {"handle": "ada", "display_name": "Ada Lovelace"}
    member = Member.objects.get(handle="ada")
    assert member.email == "ada@example.org"
    assert member.check_password("a quiet fireside")
    assert not member.is_email_verified
    assert [mail.to for mail in mailoutbox] == [["ada@example.org"]]


@pytest.mark.parametrize("raw", ["Ada", "ADA", "ＡＤＡ", "ａｄａ", "@Ada", "  ada  "])
def test_signup_stores_the_normal_form_of_the_handle(client, db, raw):
    response = post_signup(client, signup_data(handle=raw))

    assert response.status_code == 201, response.content
    assert response.json()["handle"] == "ada"
    assert list(Member.objects.values_list("handle", flat=True)) == ["ada"]


# Refusals, field by field ---------------------------------------------------------


@pytest.mark.parametrize("raw", ["ada", "Ada", "ADA", "ＡＤＡ", "ａｄａ", "@ada"])
def test_signup_refuses_a_taken_handle_in_any_form(client, db, mailoutbox, raw):
    MemberFactory(handle="ada", email="first@example.org")

    response = post_signup(client, signup_data(handle=raw))

    assert_field_error(response, "handle", "is taken")
    assert Member.objects.count() == 1
    assert mailoutbox == []


@pytest.mark.parametrize(
    "raw",
    ["admin", "api", "mod", "support", "fireside", "www", "Admin", "ＡＰＩ", "_www_"],
)
def test_signup_refuses_a_reserved_handle(client, db, raw):
    response = post_signup(client, signup_data(handle=raw))

    assert_field_error(response, "handle", "reserved")
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ab", "at least 3 characters"),
        ("", "at least 3 characters"),
        ("a" * 31, "at most 30 characters"),
        ("ada lovelace", "only the letters a–z"),
        ("ada-lovelace", "only the letters a–z"),
        ("ada.l", "only the letters a–z"),
        ("adä", "only the letters a–z"),
        ("ada\u200b", "only the letters a–z"),
    ],
)
def test_signup_refuses_a_malformed_handle(client, db, raw, reason):
    response = post_signup(client, signup_data(handle=raw))

    assert_field_error(response, "handle", reason)
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "choose a password"),
        ("Fire7!", "too short"),
        ("iloveyou", "too common"),
        ("8302749165", "entirely numeric"),
        ("rosalindfranklin", "too similar to the handle"),
        ("rosalind_franklin1", "too similar to the handle"),
    ],
)
def test_signup_refuses_a_weak_password(client, db, password, reason):
    data = signup_data(handle="rosalind_franklin", password=password)

    response = post_signup(client, data)

    assert_field_error(response, "password", reason)
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("", "enter your email"),
        ("ada", "valid email"),
        ("ada@", "valid email"),
        ("ada@example", "valid email"),
        ("ada lovelace@example.org", "valid email"),
        ("a" * 250 + "@example.org", "at most 254 characters"),
    ],
)
def test_signup_refuses_a_malformed_email(client, db, email, reason):
    response = post_signup(client, signup_data(email=email))

    assert_field_error(response, "email", reason)
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    "email", ["ada@example.org", "ADA@Example.ORG", " Ada@example.org"]
)
def test_signup_refuses_an_email_already_in_use_in_any_case(client, db, email):
    MemberFactory(handle="someone", email="ada@example.org")

    response = post_signup(client, signup_data(email=email))

    assert_field_error(response, "email", "already uses this email")
    assert Member.objects.count() == 1


@pytest.mark.parametrize(
    ("display_name", "reason"),
    [
        ("", "enter the name people will see"),
        ("   ", "enter the name people will see"),
        ("A" * 51, "at most 50 characters"),
        ("Ada\u200bLovelace", "control or invisible characters"),
        ("Ada\nLovelace", "control or invisible characters"),
    ],
)
def test_signup_refuses_a_bad_display_name(client, db, display_name, reason):
    response = post_signup(client, signup_data(display_name=display_name))

    assert_field_error(response, "display_name", reason)
    assert not Member.objects.exists()


def test_signup_names_every_bad_field_at_once(client, db):
    MemberFactory(handle="ada", email="first@example.org")
    data = signup_data(email="nope", password="iloveyou", display_name="")

    response = post_signup(client, data)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "handle",
        "email",
        "password",
        "display_name",
    }


@pytest.mark.parametrize("field", ["handle", "email", "password", "display_name"])
def test_signup_refuses_a_missing_field(client, db, field):
    data = signup_data()
    del data[field]

    response = post_signup(client, data)

    assert_field_error(response, field, "required")
    assert set(response.json()["errors"]) == {field}
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("handle", 123),
        ("handle", None),
        ("email", {"address": "ada@example.org"}),
        ("password", ["a quiet fireside"]),
        ("display_name", True),
    ],
)
def test_signup_refuses_a_wrong_json_type(client, db, field, value):
    response = post_signup(client, signup_data(**{field: value}))

    assert_field_error(response, field, "enter text")
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    "body", [b"{", b'{"handle": "ada",}', b"handle=ada", b"\xff\xfe"]
)
def test_signup_refuses_a_body_that_is_not_json(client, db, body):
    response = post_signup(client, body)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_json"
    assert set(body) == {"detail", "code"}
    assert "not valid JSON" in body["detail"]


@pytest.mark.parametrize("body", [b"", b"[]", b"null", b'"ada"', b"42"])
def test_signup_refuses_a_body_that_is_not_an_object(client, db, body):
    response = post_signup(client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"handle": "ada\x00"},
        {"email": "ada\x00@example.org"},
        {"display_name": "Ada\x00"},
        {"handle": "a" * 10_000},
        {"email": "ada@" + "x" * 10_000 + ".org"},
        {"display_name": "\U0001f525" * 1000},
    ],
)
def test_signup_answers_odd_input_with_400(client, db, changes):
    # The test client re-raises a server error, so a 500 fails here too.
    response = post_signup(client, signup_data(**changes))

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == set(changes)


# The per-address limit ------------------------------------------------------------


def test_signup_limit_refuses_the_sixth_account_from_one_address(client, db, clock):
    for number in range(5):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        assert post_signup(client, data).status_code == 201

    response = post_signup(
        client, signup_data(handle="ada_6", email="ada6@example.org")
    )

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited"
    assert re.search(r"Try again in \d+ minutes\.", body["detail"]), body["detail"]
    # The window is an hour and began a moment ago.
    assert HOUR - 60 <= body["retry_after"] <= HOUR
    assert response.headers["Retry-After"] == str(body["retry_after"])
    assert not Member.objects.filter(handle="ada_6").exists()


def test_signup_limit_leaves_other_addresses_alone(client, db, clock):
    for number in range(5):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        assert post_signup(client, data).status_code == 201

    response = post_signup(
        client,
        signup_data(handle="ada_6", email="ada6@example.org"),
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 201, response.content


def test_signup_limit_ends_with_its_window(client, db, clock):
    for number in range(6):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        post_signup(client, data)

    clock.advance(HOUR)
    response = post_signup(
        client, signup_data(handle="ada_7", email="ada7@example.org")
    )

    assert response.status_code == 201, response.content


def test_signup_limit_counts_only_accounts_created(client, db, clock):
    for _ in range(5):
        assert post_signup(client, signup_data(password="iloveyou")).status_code == 400

    for number in range(5):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        assert post_signup(client, data).status_code == 201, number


def test_signup_limit_groups_an_ipv6_slash_64(client, db, clock):
    for number in range(5):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        response = post_signup(client, data, REMOTE_ADDR=f"2001:db8::{number + 1}")
        assert response.status_code == 201

    same_64 = post_signup(
        client,
        signup_data(handle="ada_6", email="ada6@example.org"),
        REMOTE_ADDR="2001:db8::ffff",
    )
    next_64 = post_signup(
        client,
        signup_data(handle="ada_7", email="ada7@example.org"),
        REMOTE_ADDR="2001:db8:0:1::1",
    )

    assert same_64.status_code == 429
    assert next_64.status_code == 201


def test_signup_limit_ignores_a_forwarded_for_header_without_a_proxy(client, db, clock):
    for number in range(5):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        headers = {"X-Forwarded-For": f"198.51.100.{number}"}
        assert post_signup(client, data, headers=headers).status_code == 201

    response = post_signup(
        client,
        signup_data(handle="ada_6", email="ada6@example.org"),
        headers={"X-Forwarded-For": "198.51.100.99"},
    )

    assert response.status_code == 429


def test_signup_limit_behind_a_proxy_counts_the_address_it_appended(
    client, db, clock, settings
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for number in range(5):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        # What a client writes comes first; the proxy appends the address it saw.
        headers = {"X-Forwarded-For": f"192.0.2.{number}, 198.51.100.1"}
        assert post_signup(client, data, headers=headers).status_code == 201

    spoofed = post_signup(
        client,
        signup_data(handle="ada_6", email="ada6@example.org"),
        headers={"X-Forwarded-For": "192.0.2.99, 198.51.100.1"},
    )
    other = post_signup(
        client,
        signup_data(handle="ada_7", email="ada7@example.org"),
        headers={"X-Forwarded-For": "198.51.100.2"},
    )

    assert spoofed.status_code == 429
    assert other.status_code == 201


@pytest.mark.parametrize("loopback", ["127.0.0.1", "::1"])
def test_signup_limit_spares_loopback_in_debug(client, db, clock, settings, loopback):
    settings.DEBUG = True
    for number in range(7):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        response = post_signup(client, data, REMOTE_ADDR=loopback)
        assert response.status_code == 201, number


def test_signup_limit_holds_for_other_addresses_in_debug(client, db, clock, settings):
    settings.DEBUG = True
    for number in range(5):
        data = signup_data(handle=f"ada_{number}", email=f"ada{number}@example.org")
        post_signup(client, data, REMOTE_ADDR="203.0.113.7")

    response = post_signup(
        client,
        signup_data(handle="ada_6", email="ada6@example.org"),
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 429

import re

import pytest
from django.test import Client

from fireside.accounts.models import ApiToken, Member
from tests.helpers import field_error

NEW_PASSWORD = "embers under the kettle"
SIGNUP = {
    "handle": "zoe",
    "display_name": "Zoë Zimmer",
    "email": "zoe@example.org",
    "password": "a quiet fireside",
}
VERIFY_BANNER = "verify your email"


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


def main_of(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def mailed_path(mail, pattern):
    match = re.search(pattern, mail.body)
    assert match, mail.body
    return match.group(0)


def log_in_as(client, member):
    client.force_login(member)
    return client


# Landing and home ---------------------------------------------------------------------


@pytest.mark.django_db
def test_home_tells_an_anonymous_visitor_what_fireside_is(client):
    response = client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Talk one-to-one about what matters to you." in page
    assert "Fireside is a home for small communities" in page
    assert 'href="/signup/"' in page


def test_home_shows_a_member_their_home(client, alice):
    response = log_in_as(client, alice).get("/")
    assert response.status_code == 200
    assert "<h1>Home</h1>" in text_of(response)
    assert "Talk one-to-one" not in text_of(response)


# Who may open which page --------------------------------------------------------------

OPEN_PAGES = ["/", "/about/", "/signup/", "/login/", "/password/reset/", "/@alice/"]
MEMBER_PAGES = [
    "/settings/",
    "/settings/profile/",
    "/settings/password/",
    "/settings/tokens/",
]


@pytest.mark.parametrize("path", OPEN_PAGES)
def test_open_pages_are_reachable_anonymously(client, alice, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_pages_open_for_a_member(client, alice, path):
    assert log_in_as(client, alice).get(path).status_code == 200


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_pages_send_an_anonymous_visitor_to_log_in(client, alice, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


@pytest.mark.parametrize("path", ["/signup/", "/login/"])
def test_signup_and_login_send_a_member_home(client, alice, path):
    response = log_in_as(client, alice).get(path)
    assert response.status_code == 302
    assert response["Location"] == "/"


# Sign-up ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signup_creates_the_member_logs_them_in_and_mails_a_link(client, mailoutbox):
    response = client.post("/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/"
    member = Member.objects.get(handle="zoe")
    assert member.email == "zoe@example.org"
    assert member.display_name == "Zoë Zimmer"
    assert member.check_password(SIGNUP["password"])
    assert member.email_verified_at is None
    assert client.session["_auth_user_id"] == str(member.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["zoe@example.org"]
    assert re.search(r"/verify/[^/\s]+/", mailoutbox[0].body)


@pytest.mark.django_db
def test_signup_banner_asks_to_verify_until_the_link_is_opened(client, mailoutbox):
    client.post("/signup/", SIGNUP)
    home = client.get("/")
    assert VERIFY_BANNER in text_of(home)
    assert "zoe@example.org" in text_of(home)
    assert VERIFY_BANNER in text_of(client.get("/settings/"))

    client.get(mailed_path(mailoutbox[0], r"/verify/[^/\s]+/"))

    assert VERIFY_BANNER not in text_of(client.get("/"))
    assert VERIFY_BANNER not in text_of(client.get("/settings/"))


def test_signup_refuses_a_taken_handle_in_another_case(client, alice, mailoutbox):
    response = client.post("/signup/", {**SIGNUP, "handle": "ALICE"})
    assert response.status_code == 400
    assert (
        field_error(response, "handle")
        == "The handle “alice” is taken. Choose another."
    )
    assert not Member.objects.filter(email="zoe@example.org").exists()
    assert "_auth_user_id" not in client.session
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("handle", "admin", "“admin” is reserved. Choose another handle."),
        ("handle", "zo", "A handle needs at least 3 characters."),
        ("handle", "zoë-z", "A handle may use only the letters a–z, digits 0–9"),
        ("password", "password", "This password is too common."),
        ("password", "fire", "This password is too short."),
        ("password", "zoe@example.org", "The password is too similar to the email."),
        (
            "email",
            "zoe.example.org",
            "Enter a valid email address, such as ada@example.org.",
        ),
        ("email", "zoe@", "Enter a valid email address, such as ada@example.org."),
    ],
)
@pytest.mark.django_db
def test_signup_explains_a_refused_field_next_to_it(client, field, value, message):
    response = client.post("/signup/", {**SIGNUP, field: value})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert 'role="alert"' in text_of(response)
    assert Member.objects.count() == 0


@pytest.mark.django_db
def test_signup_keeps_what_was_typed_except_the_password(client):
    response = client.post("/signup/", {**SIGNUP, "handle": "admin"})
    assert 'value="zoe@example.org"' in text_of(response)
    assert SIGNUP["password"] not in text_of(response)


# Log-in and log-out -------------------------------------------------------------------


@pytest.mark.parametrize("login", ["alice", "ALICE", "@alice", "alice@example.org"])
def test_login_accepts_a_handle_or_an_email(client, alice, password, login):
    response = client.post("/login/", {"login": login, "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_login_refuses_a_wrong_password_with_a_message(client, alice):
    response = client.post(
        "/login/", {"login": "alice", "password": "not the password"}
    )
    assert response.status_code == 401
    assert "That handle or email and password do not match." in text_of(response)
    assert "_auth_user_id" not in client.session


def test_login_says_when_to_try_again_after_ten_failures(client, alice, password):
    for _ in range(10):
        response = client.post("/login/", {"login": "alice", "password": "wrong guess"})
        assert response.status_code == 401

    response = client.post("/login/", {"login": "alice", "password": password})

    assert response.status_code == 429
    assert re.search(
        r"Too many failed log-ins for this account\. Try again in \d+ "
        r"(seconds?|minutes?)\.",
        text_of(response),
    )
    assert "_auth_user_id" not in client.session


def test_login_follows_a_local_next(client, alice, password):
    response = client.post(
        "/login/", {"login": "alice", "password": password, "next": "/settings/"}
    )
    assert response["Location"] == "/settings/"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://evil.example/settings/"],
)
def test_login_ignores_an_off_site_next(client, alice, password, next_url):
    page = client.get("/login/", {"next": next_url})
    assert 'name="next" value="/"' in text_of(page)
    assert "evil.example" not in text_of(page)

    response = client.post(
        "/login/", {"login": "alice", "password": password, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_refuses_get(client, alice):
    response = log_in_as(client, alice).get("/logout/")
    assert response.status_code == 405
    assert client.get("/settings/").status_code == 200


def test_logout_ends_the_session(client, alice):
    log_in_as(client, alice)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert client.get("/settings/")["Location"] == "/login/?next=/settings/"


# Email verification -------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_email_link_works_once(client, mailoutbox):
    client.post("/signup/", SIGNUP)
    client.post("/logout/")
    link = mailed_path(mailoutbox[0], r"/verify/[^/\s]+/")

    first = client.get(link)
    assert first.status_code == 200
    assert "Your email address is verified" in text_of(first)
    assert Member.objects.get(handle="zoe").email_verified_at is not None

    second = client.get(link)
    assert second.status_code == 400
    assert "already used" in text_of(second)


@pytest.mark.django_db
def test_verify_email_refuses_a_damaged_link(client):
    response = client.get("/verify/not-a-real-token/")
    assert response.status_code == 400
    assert "This verification link is wrong or incomplete." in text_of(response)


# Password reset -----------------------------------------------------------------------


def _request_reset(client, email):
    return client.post("/password/reset/", {"email": email})


def test_password_reset_gives_one_answer_for_known_and_unknown_addresses(
    client, alice, mailoutbox
):
    unknown = _request_reset(client, "nobody@example.org")
    assert unknown.status_code == 200
    assert "Check your mail" in text_of(unknown)
    assert mailoutbox == []

    known = _request_reset(client, "ALICE@example.org")
    assert known.status_code == 200
    assert main_of(known) == main_of(unknown)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@example.org"]


def test_password_reset_refuses_a_malformed_address(client, mailoutbox):
    response = _request_reset(client, "not an address")
    assert response.status_code == 400
    assert "Enter a valid email address" in field_error(response, "email")


@pytest.fixture
def reset_link(client, alice, mailoutbox):
    _request_reset(client, alice.email)
    return mailed_path(mailoutbox[0], r"/reset/[^/\s]+/[^/\s]+/")


def test_password_reset_link_shows_the_form_without_using_the_link(client, reset_link):
    for _ in range(2):
        response = client.get(reset_link)
        assert response.status_code == 200
        assert 'name="new_password"' in text_of(response)


def test_password_reset_refuses_a_weak_new_password(
    client, alice, password, reset_link
):
    response = client.post(reset_link, {"new_password": "12345678"})
    assert response.status_code == 400
    assert "This password is entirely numeric." in field_error(response, "new_password")
    alice.refresh_from_db()
    assert alice.check_password(password)
    assert client.get(reset_link).status_code == 200


def test_password_reset_sets_the_password_and_kills_the_link(client, alice, reset_link):
    response = client.post(reset_link, {"new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)

    dead = client.get(reset_link)
    assert dead.status_code == 400
    assert "This reset link is wrong, has expired or was already used." in text_of(dead)
    again = client.post(reset_link, {"new_password": "another fine evening"})
    assert again.status_code == 400
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


# Password change ----------------------------------------------------------------------


def test_password_change_refuses_a_wrong_current_password(client, alice, password):
    response = log_in_as(client, alice).post(
        "/settings/password/",
        {"current_password": "not it", "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert field_error(response, "current_password") == (
        "Your current password is not right."
    )
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_password_change_keeps_this_session_and_ends_the_others(
    client, alice, password
):
    log_in_as(client, alice)
    other = Client()
    other.post("/login/", {"login": "alice", "password": password})
    assert other.get("/settings/").status_code == 200

    response = client.post(
        "/settings/password/",
        {"current_password": password, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/settings/"
    assert client.get("/settings/").status_code == 200
    ended = other.get("/settings/")
    assert ended.status_code == 302
    assert ended["Location"] == "/login/?next=/settings/"


# Profiles -----------------------------------------------------------------------------


@pytest.fixture
def alice_with_profile(alice):
    alice.bio = "I map **stars** from [my roof](https://roof.example/)."
    alice.interests = ["astronomy", "board-games"]
    alice.save()
    return alice


def test_member_detail_shows_name_bio_and_interests(client, alice_with_profile):
    response = client.get("/@alice/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Alice Ames" in page
    assert "@alice" in page
    assert "<strong>stars</strong>" in page
    assert (
        '<a href="https://roof.example/" rel="nofollow ugc noopener">my roof</a>'
        in page
    )
    assert "<li>astronomy</li>" in page
    assert "<li>board-games</li>" in page


def test_member_detail_shows_no_counts(client, alice_with_profile):
    page = text_of(client.get("/@alice/")).lower()
    for word in ("followers", "likes", "views"):
        assert word not in page
    assert not re.search(r"\d[\s,.]*follower", page)


def test_member_detail_redirects_to_the_normal_handle(client, alice):
    response = client.get("/@ALICE/")
    assert response.status_code == 301
    assert response["Location"] == "/@alice/"


@pytest.mark.django_db
def test_member_detail_of_an_unknown_handle_is_not_found(client):
    response = client.get("/@nobody/")
    assert response.status_code == 404
    assert "There is nothing here, or it is not visible to you." in text_of(response)


def test_member_detail_of_a_deactivated_member_is_not_found(client, alice):
    alice.is_active = False
    alice.save()
    assert client.get("/@alice/").status_code == 404


def test_profile_edit_saves_the_profile(client, alice):
    response = log_in_as(client, alice).post(
        "/settings/profile/",
        {
            "display_name": "Alice A. Ames",
            "bio": "Amateur *astronomer*.",
            "interests": "Astronomy, board games, astronomy",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/@alice/"
    alice.refresh_from_db()
    assert alice.display_name == "Alice A. Ames"
    assert alice.bio == "Amateur *astronomer*."
    assert alice.interests == ["astronomy", "board-games"]
    assert "<em>astronomer</em>" in text_of(client.get("/@alice/"))


def test_profile_edit_shows_the_current_profile(client, alice_with_profile):
    page = text_of(log_in_as(client, alice_with_profile).get("/settings/profile/"))
    assert 'value="Alice Ames"' in page
    assert 'value="astronomy, board-games"' in page


def test_profile_edit_refuses_an_over_long_bio(client, alice):
    response = log_in_as(client, alice).post(
        "/settings/profile/",
        {"display_name": "Alice Ames", "bio": "a" * 2001, "interests": ""},
    )
    assert response.status_code == 400
    assert "at most 2000 characters" in field_error(response, "bio")
    alice.refresh_from_db()
    assert alice.bio == ""


def test_profile_edit_accepts_a_bio_of_exactly_2000_characters(client, alice):
    response = log_in_as(client, alice).post(
        "/settings/profile/",
        {"display_name": "Alice Ames", "bio": "a" * 2000, "interests": ""},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert len(alice.bio) == 2000


def test_profile_edit_sends_an_anonymous_visitor_to_log_in(client, alice):
    response = client.post("/settings/profile/", {"display_name": "Mallory"})
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/profile/"
    alice.refresh_from_db()
    assert alice.display_name == "Alice Ames"


# API tokens ---------------------------------------------------------------------------

HTMX = {"HX-Request": "true"}
SECRET = re.compile(r'data-testid="new-token">(fs_[A-Za-z0-9_-]+)<')


def test_tokens_create_shows_the_secret_once(client, alice):
    log_in_as(client, alice)
    response = client.post("/settings/tokens/", {"name": "phone"})

    assert response.status_code == 201
    secret = SECRET.search(text_of(response)).group(1)
    token = ApiToken.objects.get(member=alice, name="phone")
    assert token.key_hash == ApiToken.hash_secret(secret)

    later = text_of(client.get("/settings/tokens/"))
    assert "phone" in later
    assert token.hint in later
    assert secret not in later


def test_tokens_create_over_htmx_returns_only_the_fragment(client, alice):
    response = log_in_as(client, alice).post(
        "/settings/tokens/", {"name": "backup script"}, headers=HTMX
    )
    assert response.status_code == 201
    html = response.content.decode()
    assert html.strip().startswith('<div id="tokens">')
    assert "<html" not in html
    assert "<main" not in html
    assert SECRET.search(html)
    assert "backup script" in html


def test_tokens_create_refuses_a_blank_name(client, alice):
    response = log_in_as(client, alice).post("/settings/tokens/", {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(member=alice).exists()


@pytest.fixture
def token_of():
    def make(member, name):
        from fireside.accounts.actions import issue_api_token

        token, _ = issue_api_token(member, name=name)
        return token

    return make


def test_token_revoke_of_another_members_token_is_not_found(
    client, alice, bob, token_of
):
    token = token_of(bob, "bob's laptop")
    response = log_in_as(client, alice).post(
        f"/settings/tokens/{token.pk}/revoke/", headers=HTMX
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_revoke_of_own_token_over_htmx_removes_it(client, alice, token_of):
    kept = token_of(alice, "phone")
    token = token_of(alice, "old laptop")
    log_in_as(client, alice)
    assert "old laptop" in text_of(client.get("/settings/tokens/"))

    response = client.post(f"/settings/tokens/{token.pk}/revoke/", headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith('<div id="tokens">')
    assert "<html" not in html
    assert "old laptop" not in html
    assert kept.name in html
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_revoke_without_htmx_redirects_to_the_list(client, alice, token_of):
    token = token_of(alice, "old laptop")
    response = log_in_as(client, alice).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/tokens/"
    page = text_of(client.get("/settings/tokens/"))
    assert "The token “old laptop” no longer works." in page
    assert "<td>old laptop</td>" not in page


def test_token_revoke_refuses_get(client, alice, token_of):
    token = token_of(alice, "phone")
    response = log_in_as(client, alice).get(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None

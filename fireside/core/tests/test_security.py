import os
import re
import secrets
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from fireside.accounts.models import Member

PROJECT_DIR = Path(__file__).resolve().parents[3]
HEADER_PAGES = ["/", "/login/", "/signup/", "/no/such/page/"]


def _csp_directives(response):
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Headers ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", HEADER_PAGES)
@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_code(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = _csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy


@pytest.mark.parametrize("path", HEADER_PAGES)
@pytest.mark.django_db
def test_pages_send_the_protective_headers(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_same_site_lax(client, alice, password):
    response = client.post("/login/", {"login": "alice", "password": password})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_session_key_changes_on_login(client, alice, password):
    client.get("/login/")
    before = client.session.session_key
    client.post("/login/", {"login": "alice", "password": password})
    assert client.session.session_key != before


# CSRF ---------------------------------------------------------------------------------


def test_csrf_refuses_a_form_post_without_token_with_a_readable_page(alice, password):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/login/", {"login": "alice", "password": password})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form expired or came from another site." in page
    assert "<html" in page
    assert "Traceback" not in page
    assert "CSRF verification failed" not in page
    assert "_auth_user_id" not in browser.session


def test_csrf_accepts_a_form_post_with_the_pages_token(alice, password):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        "/login/",
        {"login": "alice", "password": password, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(alice.pk)


# No inline script or style ------------------------------------------------------------


class _InlineCode(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = True
            src = attrs.get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script> without a same-site src: {attrs}")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs.items():
            if name == "style":
                self.problems.append(f'style="" on <{tag}>')
            if name.startswith(("on", "hx-on")):
                self.problems.append(f"{name}= on <{tag}>")
            if name in {"href", "src", "action"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:40]}")


def _inline_code(response):
    parser = _InlineCode()
    parser.feed(response.content.decode())
    parser.close()
    return parser.problems


@pytest.fixture
def alice_with_hostile_bio(alice):
    alice.bio = (
        "Hello <script>alert(1)</script> <span style='color:red'>red</span> "
        "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold**"
    )
    alice.interests = ["astronomy"]
    alice.save()
    return alice


@pytest.mark.parametrize(
    ("path", "as_member"),
    [
        ("/", False),
        ("/", True),
        ("/about/", False),
        ("/signup/", False),
        ("/login/", False),
        ("/@alice/", False),
        ("/@alice/", True),
        ("/settings/", True),
        ("/settings/profile/", True),
        ("/settings/tokens/", True),
        ("/no/such/page/", False),
    ],
)
def test_pages_have_no_inline_script_or_style(
    client, alice_with_hostile_bio, path, as_member
):
    if as_member:
        client.force_login(alice_with_hostile_bio)
    response = client.get(path)
    assert b"<script" in response.content
    assert _inline_code(response) == []


def test_tokens_page_with_a_new_secret_has_no_inline_script_or_style(client, alice):
    client.force_login(alice)
    response = client.post("/settings/tokens/", {"name": "phone"})
    assert response.status_code == 201
    assert _inline_code(response) == []


def test_signup_page_with_errors_has_no_inline_script_or_style(client, db):
    response = client.post(
        "/signup/",
        {
            "handle": "<script>",
            "display_name": "x",
            "email": "x",
            "password": "x",
        },
    )
    assert response.status_code == 400
    assert _inline_code(response) == []


def test_inline_code_check_notices_inline_script_and_style():
    class Page:
        content = b'<p style="x">a</p><script>alert(1)</script><a onclick="y">b</a>'

    assert len(_inline_code(Page)) == 4


# Passwords ----------------------------------------------------------------------------


@pytest.mark.argon2
def test_passwords_are_stored_with_argon2(client, alice, db):
    assert alice.password.startswith("argon2")
    client.post(
        "/signup/",
        {
            "handle": "zoe",
            "display_name": "Zoë",
            "email": "zoe@example.org",
            "password": "a quiet fireside",
        },
    )
    assert Member.objects.get(handle="zoe").password.startswith("argon2$argon2id$")


# Production settings ------------------------------------------------------------------


# Only what a process needs to run: nothing the test run itself set (such as
# DJANGO_ALLOW_ASYNC_UNSAFE or DATABASE_URL) leaks into the "production" process.
PASSED_THROUGH = {
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "VIRTUAL_ENV",
    "SYSTEMROOT",
}


def _production_env(tmp_path, **overrides):
    env = {name: value for name, value in os.environ.items() if name in PASSED_THROUGH}
    alphabet = string.ascii_letters + string.digits + string.punctuation
    env.update(
        DJANGO_SETTINGS_MODULE="fireside.settings",
        DEBUG="false",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="fireside.example",
        SECURE_SSL_REDIRECT="true",
        FIRESIDE_VAR_DIR=str(tmp_path),
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _production_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_secure_cookies_and_hsts(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.DEBUG)"
    )
    result = _run(["-c", script], _production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    session_secure, csrf_secure, hsts, debug = result.stdout.split()
    assert (session_secure, csrf_secure, debug) == ("True", "True", "False")
    assert int(hsts) > 0


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = _run(
        ["-c", "import django; django.setup()"],
        _production_env(tmp_path, SECRET_KEY=None),
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_settings_start_without_a_secret_key(tmp_path):
    result = _run(
        ["-c", "import django; django.setup()"],
        _production_env(tmp_path, SECRET_KEY=None, DEBUG="true"),
    )
    assert result.returncode == 0, result.stderr


# Error pages --------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_url_gives_the_friendly_not_found_page(client):
    assert settings.DEBUG is False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "There is nothing here, or it is not visible to you." in page
    assert 'href="/"' in page
    assert "Using the URLconf" not in page
    assert "Page not found" not in page
    assert "DEBUG = True" not in page


@pytest.mark.django_db
def test_unknown_api_url_answers_in_json(client):
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

"""A newcomer's first visit in a real browser: sign up, verify by mail, log in again, fill
in a profile; and a member managing API tokens through the HTMX form."""

import email
import email.policy
import re

import pytest
from playwright.sync_api import expect

from fireside.accounts.actions import member_for_token
from fireside.accounts.models import ApiToken
from fireside.accounts.tests.factories import PASSWORD
from tests.browser.conftest import wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long quiet evening by the fire"


@pytest.fixture
def mail_folder(settings, tmp_path, live_server):
    settings.MAILERS = {
        "default": {
            "BACKEND": "fireside.core.mail.EmlFileBackend",
            "OPTIONS": {"path": str(tmp_path / "mail")},
        }
    }
    settings.SITE_URL = live_server.url
    return tmp_path / "mail"


def navigation(page):
    return page.get_by_role("navigation", name="Main")


def log_in(page, live_server, login, password):
    page.goto(live_server.url + "/")
    navigation(page).get_by_role("link", name="Log in").click()
    page.get_by_label("Handle or email").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(navigation(page).get_by_role("button", name="Log out")).to_be_visible()


def only_mail(folder):
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 1, files
    return email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)


def test_signup_journey_verifies_logs_in_and_fills_profile(
    page, live_server, mail_folder, csp_violations
):
    page.goto(live_server.url + "/")
    navigation(page).get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Handle").fill("ada_l")
    page.get_by_label("Display name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome, Ada.")
    expect(page.get_by_role("complementary", name="Email verification")).to_be_visible()

    mail = only_mail(mail_folder)
    assert mail["To"] == "ada@example.org"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/verify/[^/\s]+/", text)
    assert link, text
    assert link.group().startswith(live_server.url + "/verify/")
    page.goto(link.group())
    expect(page.get_by_role("heading", level=1)).to_contain_text("verified")
    expect(page.get_by_role("complementary", name="Email verification")).to_have_count(
        0
    )

    navigation(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(navigation(page).get_by_role("link", name="Log in")).to_be_visible()
    log_in(page, live_server, "ada_l", NEW_PASSWORD)

    navigation(page).get_by_role("link", name="Settings").click()
    page.get_by_role("main").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your profile")
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("Bio").fill("I write notes on the **Analytical Engine**.")
    page.get_by_label("Interests").fill("Mathematics, board games")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(live_server.url + "/@ada_l/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    bio = page.get_by_role("region", name="Bio")
    expect(bio.locator("strong")).to_have_text("Analytical Engine")
    expect(bio).not_to_contain_text("**")
    interests = page.get_by_role("region", name="Interests").get_by_role("listitem")
    expect(interests).to_have_text(["mathematics", "board-games"])
    assert csp_violations == []


def test_tokens_page_shows_new_secret_once_and_revokes(
    page, live_server, alice, csp_violations
):
    log_in(page, live_server, "alice", PASSWORD)
    navigation(page).get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_text("No tokens yet.")).to_be_visible()

    page.get_by_label("Name").fill("backup script")
    page.get_by_role("button", name="Create token").click()
    wait_for_htmx(page)
    secret = page.get_by_test_id("new-token")
    expect(secret).to_have_text(re.compile(r"^fs_\S{20,}$"))
    assert member_for_token(secret.inner_text()) == alice
    revoke = page.get_by_role("button", name="Revoke backup script")
    expect(revoke).to_be_visible()

    page.reload()
    expect(revoke).to_be_visible()
    expect(page.get_by_test_id("new-token")).to_have_count(0)

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    revoke.click()
    wait_for_htmx(page)
    expect(revoke).to_have_count(0)
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    assert dialogs == ["Revoke “backup script”? Apps using it will stop working."]
    assert ApiToken.objects.get(name="backup script").revoked_at is not None
    assert csp_violations == []

"""Two members hold a live conversation in two browsers: each message appears on the other
side over the WebSocket, without a reload, and the read marker and "your turn" cue follow.

pytest-django's live_server speaks WSGI only, so Daphne serves the ASGI application here
(ChannelsLiveServerTestCase), sharing the file-backed SQLite test database."""

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import expect

from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations import actions
from fireside.conversations.tests.factories import share_community

pytestmark = pytest.mark.browser

# Shorter than the 10 s polling fallback: a message seen in time came over the socket.
LIVE_TIMEOUT_MS = 5_000
SCREENSHOTS = os.environ.get("FIRESIDE_SCREENSHOTS", "")


class ConversationJourneyTests(ChannelsLiveServerTestCase):
    @pytest.fixture(autouse=True)
    def _browser(self, browser):
        self.browser = browser

    def setUp(self):
        super().setUp()
        # Playwright keeps an event loop running in this thread, where the actions could
        # not publish their events; a worker thread has none.
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(self.make_conversation).result()
        self.contexts = []
        self.console = []

    def make_conversation(self):
        self.alice = MemberFactory(handle="alice", display_name="Alice Ames")
        self.bob = MemberFactory(handle="bob", display_name="Bob Brandt")
        share_community(self.alice, self.bob)
        conversation = actions.request_conversation(
            by=self.alice, to=self.bob, message="Shall we talk about the kettle?"
        )
        self.conversation = actions.accept_conversation(conversation, by=self.bob)
        connection.close()

    def tearDown(self):
        for context in self.contexts:
            context.close()
        super().tearDown()

    def open_as(self, member):
        context = self.browser.new_context()
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        # The server process forked before the test's fast password hasher was set, so
        # the session is made here, in the shared database, instead of by the login form.
        client = Client()
        client.force_login(member)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.live_server_url}]
        )
        page = context.new_page()
        page.on("console", lambda message: self.console.append(message.text))
        page.goto(f"{self.live_server_url}/conversations/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Conversations")
        page.get_by_role("link", name=re.compile("Alice Ames|Bob Brandt")).click()
        expect(page.locator("#conversation")).to_have_class(re.compile(r"\bis-live\b"))
        # A reload would clear this mark: it proves the page stayed as it was.
        page.evaluate("window.stayedOnPage = true")
        return page

    def send(self, page, words):
        composer = page.get_by_role("textbox", name="Your message")
        composer.fill(words)
        page.get_by_role("button", name="Send").click()
        expect(composer).to_have_value("")
        expect(composer).to_be_focused()

    def screenshot(self, page, name):
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)

    def test_conversation_journey_messages_appear_live_both_ways(self):
        alice = self.open_as(self.alice)
        bob = self.open_as(self.bob)
        alice_messages = alice.get_by_role("list", name="Messages")
        bob_messages = bob.get_by_role("list", name="Messages")
        expect(bob.locator("#turn")).to_have_text("Your turn — Alice Ames wrote last.")

        self.send(alice, "The *copper* one, I think.")
        expect(bob_messages.locator("li.theirs em")).to_have_text(
            "copper", timeout=LIVE_TIMEOUT_MS
        )
        expect(alice_messages.locator("li.mine")).to_have_count(2)
        expect(alice.locator("#turn")).to_have_text("Waiting for Bob Brandt.")
        # Bob's page has the message in view and says so: Alice sees "Seen" move down.
        expect(alice.locator("#m2 .seen")).to_have_text("Seen", timeout=LIVE_TIMEOUT_MS)

        self.send(bob, "Copper it is.")
        expect(alice_messages.locator("#m3")).to_contain_text(
            "Copper it is.", timeout=LIVE_TIMEOUT_MS
        )
        expect(alice_messages.locator("#m3")).to_have_class(re.compile(r"\btheirs\b"))
        expect(alice.locator("#turn")).to_have_text(
            "Your turn — Bob Brandt wrote last."
        )
        expect(bob_messages.locator("li[data-seq]")).to_have_count(3)
        expect(bob_messages.locator("li.pending")).to_have_count(0)

        assert alice.evaluate("window.stayedOnPage") is True
        assert bob.evaluate("window.stayedOnPage") is True
        self.screenshot(alice, "conversation-alice")
        alice.get_by_role("link", name="Conversations").first.click()
        expect(alice.get_by_role("heading", level=1)).to_have_text("Conversations")
        self.screenshot(alice, "inbox-alice")
        self.screenshot(bob, "conversation-bob")
        assert list(
            self.conversation.messages.values_list("seq", "author__handle", "body")
        ) == [
            (1, "alice", "Shall we talk about the kettle?"),
            (2, "alice", "The *copper* one, I think."),
            (3, "bob", "Copper it is."),
        ]
        assert not [text for text in self.console if "Content Security Policy" in text]

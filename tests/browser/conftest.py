"""Playwright in Debian's Chromium, offline: never a downloaded browser."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's Chromium is not installed (apt-get install chromium).")
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # ORM calls (fixtures, database flushes) from a thread with a running loop unless told
    # that it is safe, which it is here: every query still runs synchronously.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def csp_violations(page):
    """Console messages of the page that report a Content Security Policy violation."""
    violations = []

    def collect(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", collect)
    return violations


def wait_for_htmx(page):
    """Wait until no HTMX request is in flight (htmx marks its requesting elements)."""
    page.wait_for_function("() => document.querySelector('.htmx-request') === null")

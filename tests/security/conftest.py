"""Debian's Chromium for the XSS corpus, driven from a thread of its own.

Playwright's sync API allows one instance per thread, and tests/browser's session-wide
`browser` fixture holds the main thread's for the whole run: a second one there fails with
"using Playwright Sync API inside the asyncio loop". So this one lives in a worker thread,
and tests hand it the browser work as a function (the database work stays in the test's
thread)."""

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS


class Chromium:
    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._thread.submit(self._start).result()

    def _start(self) -> None:
        executable = shutil.which("chromium")
        if executable is None:
            pytest.fail(
                "Debian's Chromium is not installed (apt-get install chromium)."
            )
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )

    def run(self, work: Callable[..., Any], *args: Any) -> Any:
        """Call WORK(browser, *ARGS) in Chromium's thread and return what it returns."""
        return self._thread.submit(work, self._browser, *args).result()

    def close(self) -> None:
        def stop() -> None:
            self._browser.close()
            self._playwright.stop()

        self._thread.submit(stop).result()
        self._thread.shutdown()


@pytest.fixture(scope="session")
def chromium():
    instance = Chromium()
    yield instance
    instance.close()

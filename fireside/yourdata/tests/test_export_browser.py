import shutil
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from fireside.conversations import actions as conversation_actions
from fireside.yourdata import actions
from fireside.yourdata.tests.conftest import BOB_WORDS, ZELDA

pytestmark = pytest.mark.browser


def test_export_html_opens_in_chromium_from_disk_and_runs_no_script(
    world, tmp_path, django_capture_on_commit_callbacks
):
    conversation_actions.send_message(
        world.conversation,
        by=world.bob,
        body='<script>alert("x")</script><img src=x onerror=alert(1)>',
    )
    with django_capture_on_commit_callbacks(execute=True):
        export = actions.request_export(world.zelda)
    export.refresh_from_db()
    with zipfile.ZipFile(Path(settings.EXPORT_ROOT) / export.file_name) as archive:
        archive.extractall(tmp_path / "unzipped")
    index = tmp_path / "unzipped" / "index.html"
    assert "<script" not in index.read_text().lower()

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's Chromium is not installed (apt-get install chromium).")
    dialogs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.on(
                "dialog",
                lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()),
            )
            page.goto(index.as_uri())
            heading = page.get_by_role("heading", level=1)
            assert heading.inner_text() == f"Your data: @{ZELDA['handle']}"
            assert page.get_by_text(ZELDA["reply_edited"]).is_visible()
            assert page.get_by_text(BOB_WORDS).is_visible()
            page.wait_for_load_state("load")
        finally:
            browser.close()
    assert dialogs == []

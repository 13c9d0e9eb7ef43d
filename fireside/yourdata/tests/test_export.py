import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import jsonschema_rs
import pytest
from django.conf import settings

from fireside.yourdata import actions
from fireside.yourdata.models import Export
from fireside.yourdata.tests.conftest import BOB_WORDS, SECRET, ZELDA
from tests.helpers import assert_error

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "export-schema.json"


@pytest.fixture
def schema():
    return json.loads(SCHEMA_PATH.read_text())


@pytest.fixture
def as_zelda(api_client, world):
    return api_client.as_member(world.zelda)


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _ready_export(as_zelda):
    started = as_zelda.post("me/export")
    assert started.status_code == 202, started.content
    status = as_zelda.get("me/export").json()
    assert status["state"] == "ready", status
    return status


def test_export_zip_holds_json_valid_against_the_documented_schema(
    as_zelda, client, schema
):
    status = _ready_export(as_zelda)
    archive = _download(client, status["download_url"])
    assert sorted(archive.namelist()) == [
        "README.txt",
        "fireside-export.json",
        "index.html",
    ]
    document = json.loads(archive.read("fireside-export.json"))
    jsonschema_rs.validator_for(schema).validate(document)
    assert document["profile"]["handle"] == ZELDA["handle"]
    assert document["profile"]["email"] == ZELDA["email"]
    [post] = document["posts"]
    assert post["body"] == ZELDA["post_body_edited"]
    assert [r["body"] for r in post["revisions"]] == [ZELDA["post_body"]]
    assert document["ratings"][0]["value"] == "helpful"
    assert [c["handle"] for c in document["connections"]["connections"]] == ["bob"]
    assert [b["handle"] for b in document["safety"]["blocks"]] == ["dave"]
    assert [m["handle"] for m in document["safety"]["mutes"]] == ["charlie"]
    assert document["dialogues"][0]["state"] == "published"


def test_schema_refuses_a_document_that_breaks_it(as_zelda, client, schema):
    status = _ready_export(as_zelda)
    document = json.loads(
        _download(client, status["download_url"]).read("fireside-export.json")
    )
    document["conversations"][0]["with"]["email"] = "someone@example.org"
    with pytest.raises(jsonschema_rs.ValidationError):
        jsonschema_rs.validator_for(schema).validate(document)


def test_export_has_both_sides_of_a_conversation_but_no_third_party_conversation(
    as_zelda, client, world
):
    status = _ready_export(as_zelda)
    archive = _download(client, status["download_url"])
    document = json.loads(archive.read("fireside-export.json"))
    [conversation] = document["conversations"]
    assert conversation["with"] == {"handle": "bob", "display_name": "Bob Brandt"}
    bodies = [(m["seq"], m["author"], m["body"]) for m in conversation["messages"]]
    assert bodies == [
        (1, ZELDA["handle"], ZELDA["opening"]),
        (2, "bob", BOB_WORDS),
        (3, ZELDA["handle"], ZELDA["reply_edited"]),
    ]
    assert conversation["messages"][2]["revisions"][0]["body"] == ZELDA["reply"]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert SECRET.encode() not in everything
    assert world.bob.email.encode() not in everything
    # Reports are the member's own only: Bob's report about her is not in it.
    assert document["reports"] == []


def test_export_html_renders_user_text_without_markup_that_could_run(
    as_zelda, client, world
):
    from fireside.conversations import actions as conversation_actions

    conversation_actions.send_message(
        world.conversation,
        by=world.bob,
        body='<script>alert("x")</script> <img src=x onerror=alert(1)> **bold**',
    )
    status = _ready_export(as_zelda)
    html = _download(client, status["download_url"]).read("index.html").decode()
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html
    assert f"<h1>Your data: @{ZELDA['handle']}</h1>" in html
    assert ZELDA["reply_edited"] in html


def test_export_progress_reads_queued_then_ready(
    world, django_capture_on_commit_callbacks, api_client
):
    as_zelda = api_client.as_member(world.zelda)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = actions.request_export(world.zelda)
    body = as_zelda.get("me/export").json()
    assert body["state"] == "queued"
    assert body["download_url"] is None
    Export.objects.filter(pk=export.pk).update(state="building", progress=60)
    body = as_zelda.get("me/export").json()
    assert (body["state"], body["progress"]) == ("building", 60)
    Export.objects.filter(pk=export.pk).update(state="queued", progress=0)
    for callback in callbacks:
        callback()
    body = as_zelda.get("me/export").json()
    assert (body["state"], body["progress"]) == ("ready", 100)
    assert body["expires_at"]
    assert body["ready_at"]


def test_export_that_cannot_be_written_reads_failed(
    world, settings, tmp_path, as_zelda
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the exports folder should be")
    settings.EXPORT_ROOT = blocker
    as_zelda.post("me/export")
    assert as_zelda.get("me/export").json()["state"] == "failed"


def test_one_export_at_a_time(world, django_capture_on_commit_callbacks, as_zelda):
    with django_capture_on_commit_callbacks(execute=False):
        actions.request_export(world.zelda)
    assert_error(as_zelda.post("me/export"), 409, "export_in_progress")


def test_three_exports_a_day(as_zelda, clock):
    for _ in range(3):
        assert as_zelda.post("me/export").status_code == 202
    body = assert_error(as_zelda.post("me/export"), 429, "rate_limited")
    assert body["retry_after"] > 0


def test_a_new_export_replaces_the_old_file(as_zelda, client):
    first = _ready_export(as_zelda)
    second = _ready_export(as_zelda)
    assert first["download_url"] != second["download_url"]
    assert client.get(first["download_url"]).status_code == 404
    assert len(list(Path(settings.EXPORT_ROOT).iterdir())) == 1


def test_download_link_expires_after_seven_days(as_zelda, client, later):
    status = _ready_export(as_zelda)
    later(timedelta(days=6, hours=23))
    assert client.get(status["download_url"]).status_code == 200
    later(timedelta(hours=2))
    response = client.get(status["download_url"])
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert as_zelda.get("me/export").json()["state"] == "expired"
    # The hourly tidy-up deletes the file.
    from fireside.yourdata.tasks import tidy_your_data

    tidy_your_data.call()
    assert list(Path(settings.EXPORT_ROOT).iterdir()) == []
    assert client.get(status["download_url"]).status_code == 410


def test_download_link_with_a_tampered_token_is_not_found(as_zelda, client):
    status = _ready_export(as_zelda)
    assert client.get(status["download_url"][:-3] + "abc/").status_code == 404


def test_export_api_is_for_members_only(api_client, db):
    assert_error(api_client.post("me/export"), 401, "not_authenticated")
    assert_error(api_client.get("me/export"), 401, "not_authenticated")


def test_export_status_without_any_export_says_what_to_do(api_client, alice):
    body = assert_error(api_client.as_member(alice).get("me/export"), 404, "no_export")
    assert "POST me/export" in body["detail"]


def test_your_data_page_starts_an_export_and_shows_the_download_link(client, world):
    client.force_login(world.zelda)
    page = client.get("/settings/data/")
    assert page.status_code == 200
    assert "You have not asked for an export yet." in page.content.decode()
    response = client.post("/settings/data/export/")
    assert response.status_code == 302
    page = client.get("/settings/data/").content.decode()
    assert 'data-testid="export-download"' in page
    link = Export.objects.get()
    assert f"/settings/data/export/download/{actions.download_token(link)}" in page


def test_your_data_page_polls_while_the_export_is_built(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        actions.request_export(world.zelda)
    client.force_login(world.zelda)
    page = client.get("/settings/data/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "<progress" in page
    fragment = client.get("/settings/data/export/status/", headers={"HX-Request": "1"})
    assert fragment.content.decode().lstrip().startswith('<div id="export"')


def test_your_data_page_needs_a_login(client, db):
    response = client.get("/settings/data/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]

"""Appeal pages: the affected member's form and list, the cohort's list with assignees,
the assignee's decision, and the administrators' list."""

from fireside.appeals.models import Appeal
from fireside.appeals.tests.conftest import add_moderator
from fireside.moderation.permissions import is_banned_from
from tests.helpers import field_error

REASON = "I quoted an insult to report it."


def test_appeal_form_sends_the_appeal(client, hearth, mel, banned):
    add_moderator(hearth, "cat")
    client.force_login(mel)
    page = client.get(f"/appeals/new/{banned.pk}/")
    assert page.status_code == 200
    assert b"Insults in three conversations." in page.content

    response = client.post(f"/appeals/new/{banned.pk}/", {"reason": REASON})

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appeals/{appeal.pk}/"
    detail = client.get(response["Location"])
    assert b"Waiting for a decision" in detail.content
    # The appellant is not told which peer decides.
    assert b"@cat" not in detail.content
    assert f"/appeals/{appeal.pk}/".encode() in client.get("/appeals/").content


def test_appeal_form_requires_a_reason(client, hearth, mel, banned):
    client.force_login(mel)

    response = client.post(f"/appeals/new/{banned.pk}/", {"reason": ""})

    assert response.status_code == 400
    assert "Say why" in field_error(response, "reason")
    assert not Appeal.objects.exists()


def test_appeal_form_is_not_found_for_others(client, hearth, rita, ann, banned):
    for member in (rita, ann):
        client.force_login(member)
        assert client.get(f"/appeals/new/{banned.pk}/").status_code == 404
        assert (
            client.post(f"/appeals/new/{banned.pk}/", {"reason": "x"}).status_code
            == 404
        )
    assert not Appeal.objects.exists()


def test_appeal_form_leads_to_the_earlier_appeal(client, hearth, mel, banned):
    client.force_login(mel)
    client.post(f"/appeals/new/{banned.pk}/", {"reason": REASON})

    response = client.post(f"/appeals/new/{banned.pk}/", {"reason": "Again."})

    assert response.status_code == 302
    assert Appeal.objects.count() == 1


def test_cohort_page_shows_assignee_and_only_assignee_decides(
    client, hearth, ann, mel, banned
):
    cat = add_moderator(hearth, "cat")
    client.force_login(mel)
    client.post(f"/appeals/new/{banned.pk}/", {"reason": REASON})
    appeal = Appeal.objects.get()

    client.force_login(ann)
    listing = client.get("/c/hearth/appeals/")
    assert b"assigned to @cat" in listing.content
    assert b"Record the decision" not in client.get(f"/appeals/{appeal.pk}/").content
    refused = client.post(
        f"/appeals/{appeal.pk}/decide/", {"outcome": "overturned", "reason": "No."}
    )
    assert refused.status_code == 403

    client.force_login(cat)
    assert b"Record the decision" in client.get(f"/appeals/{appeal.pk}/").content
    response = client.post(
        f"/appeals/{appeal.pk}/decide/",
        {"outcome": "overturned", "reason": "The quote was a report."},
    )

    assert response.status_code == 302
    assert not is_banned_from(mel, hearth)
    client.force_login(mel)
    detail = client.get(f"/appeals/{appeal.pk}/").content
    assert b"The action was overturned" in detail
    assert b"The quote was a report." in detail


def test_decide_form_shows_errors(client, hearth, mel, banned):
    cat = add_moderator(hearth, "cat")
    client.force_login(mel)
    client.post(f"/appeals/new/{banned.pk}/", {"reason": REASON})
    appeal = Appeal.objects.get()
    client.force_login(cat)

    response = client.post(f"/appeals/{appeal.pk}/decide/", {"outcome": "stands"})

    assert response.status_code == 400
    assert "Say why" in field_error(response, "reason")


def test_cohort_appeals_page_is_not_found_for_members(
    client, hearth, mel, rita, banned
):
    for member in (mel, rita):
        client.force_login(member)
        assert client.get("/c/hearth/appeals/").status_code == 404


def test_administrators_page_lists_appeals_assigned_to_them(
    client, hearth, mel, staff, rita, banned
):
    client.force_login(mel)
    client.post(f"/appeals/new/{banned.pk}/", {"reason": REASON})
    appeal = Appeal.objects.get()
    assert appeal.assignee is None

    client.force_login(rita)
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 404
    client.force_login(staff)
    assert f"/appeals/{appeal.pk}/".encode() in client.get("/staff/appeals/").content
    assert b"Record the decision" in client.get(f"/appeals/{appeal.pk}/").content


def test_moderation_notices_link_to_the_appeal(client, hearth, mel, banned):
    client.force_login(mel)
    form = f"/appeals/new/{banned.pk}/"
    assert form.encode() in client.get("/settings/moderation/").content

    client.post(form, {"reason": REASON})

    notices = client.get("/settings/moderation/").content
    assert f"/appeals/{Appeal.objects.get().pk}/".encode() in notices
    assert form.encode() not in notices

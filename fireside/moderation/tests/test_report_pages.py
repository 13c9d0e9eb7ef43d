import re

import pytest

from fireside.moderation.models import Case, Report
from tests.helpers import field_error

HTMX = {"HX-Request": "true"}


def main_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", html[html.index("<main") : html.index("</main>")])


@pytest.fixture
def logged_in(client, alice):
    client.force_login(alice)
    return client


def test_post_page_links_to_report(logged_in, eves_post):
    page = main_of(logged_in.get(f"/p/{eves_post.pk}/"))

    assert f'href="/p/{eves_post.pk}/report/"' in page


def test_report_post_page_lists_the_rules_as_radio_buttons(logged_in, eves_post):
    page = main_of(logged_in.get(f"/p/{eves_post.pk}/report/"))

    assert 'type="radio" name="rule" value="1"' in page
    assert "2. No selling." in page
    assert "<textarea" in page
    assert 'name="reason"' in page
    assert "moderators of" in page


def test_report_post_page_files_a_report_and_goes_back(logged_in, alice, eves_post):
    response = logged_in.post(
        f"/p/{eves_post.pk}/report/", {"rule": "2", "reason": "Selling."}, follow=True
    )

    assert response.redirect_chain == [(f"/p/{eves_post.pk}/", 302)]
    assert "Your report is with the reviewers" in response.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.rule_number, report.case.post) == (
        alice,
        2,
        eves_post,
    )


def test_report_post_page_with_htmx_redirects_the_client(logged_in, eves_post):
    response = logged_in.post(
        f"/p/{eves_post.pk}/report/", {"rule": "1", "reason": "Rude."}, headers=HTMX
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/p/{eves_post.pk}/"


def test_report_post_page_shows_field_errors(logged_in, eves_post):
    response = logged_in.post(f"/p/{eves_post.pk}/report/", {"rule": "9", "reason": ""})

    assert response.status_code == 400
    assert "Select a valid choice" in field_error(response, "rule")
    assert "Say in a few words" in field_error(response, "reason")
    assert not Report.objects.exists()


def test_report_post_page_with_htmx_answers_the_form_only(logged_in, eves_post):
    response = logged_in.post(
        f"/p/{eves_post.pk}/report/", {"reason": "x"}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert html.lstrip().startswith('<form id="report-form"')


def test_report_post_page_refuses_without_standing(client, charlie, eves_post):
    client.force_login(charlie)

    response = client.get(f"/p/{eves_post.pk}/report/")

    assert response.status_code == 403
    assert "Join it first" in main_of(response)


def test_report_pages_send_an_anonymous_visitor_to_log_in(client, eves_post):
    response = client.get(f"/p/{eves_post.pk}/report/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_report_member_page_in_a_community_context(logged_in, skies, eve):
    form = main_of(logged_in.get("/@eve/report/?community=skies"))
    response = logged_in.post(
        "/@eve/report/", {"community": "skies", "rule": "1", "reason": "Harassment."}
    )

    assert 'name="community" value="skies"' in form
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.community, case.target_type) == (skies, "member")


def test_report_member_page_without_a_community_goes_to_administrators(logged_in, eve):
    form = main_of(logged_in.get("/@eve/report/"))
    response = logged_in.post("/@eve/report/", {"reason": "Spam account."})

    assert 'name="rule"' not in form
    assert "administrators" in form
    assert response.status_code == 302
    assert Case.objects.get().community is None


def test_conversation_page_links_to_report_their_messages(logged_in, post_conversation):
    page = main_of(logged_in.get(f"/conversations/{post_conversation.pk}/"))

    assert f'href="/conversations/{post_conversation.pk}/messages/5/report/"' in page
    # alice wrote message 1: no report link on her own message
    assert f"/conversations/{post_conversation.pk}/messages/1/report/" not in page


def test_report_message_page_files_a_report_with_the_snapshot(
    logged_in, post_conversation
):
    url = f"/conversations/{post_conversation.pk}/messages/5/report/"
    form = main_of(logged_in.get(url))
    response = logged_in.post(url, {"rule": "1", "reason": "Threatening."})

    assert "message number 5" in form
    assert "at most five messages around it" in form
    assert response.status_code == 302
    shared = Report.objects.get().snapshot["messages"]
    assert [m["seq"] for m in shared] == [3, 4, 5, 6, 7, 8]


def test_report_message_page_of_another_conversation_is_404(
    client, bob, post_conversation
):
    client.force_login(bob)

    url = f"/conversations/{post_conversation.pk}/messages/5/report/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"rule": "1", "reason": "x"}).status_code == 404
    assert not Report.objects.exists()


def test_safety_page_lists_your_reports_with_the_state_in_words(logged_in, eves_post):
    logged_in.post(f"/p/{eves_post.pk}/report/", {"rule": "2", "reason": "Selling."})

    page = main_of(logged_in.get("/settings/safety/"))

    assert "Cheap telescopes here" in page
    assert "Waiting for a reviewer" in page

"""Who sees which case, and how cases form."""

import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.moderation import actions
from fireside.moderation.models import Case, Report
from fireside.posts.tests.factories import PostFactory


@pytest.fixture
def cases(alice, eves_post, private_conversation):
    """alice reported eve's post in skies (a cohort case) and a private message of
    charlie's (an administrators' case)."""
    community_case = actions.file_report(
        eves_post, by=alice, rule_number=1, reason="Selling."
    ).case
    cited = private_conversation.messages.get(seq=3)
    admin_case = actions.file_report(cited, by=alice, reason="Threats.").case
    return community_case, admin_case


@pytest.fixture
def personas(alice, bob, other_lead, staff):
    """Everyone who might look, by name; None is an anonymous visitor. alice reported
    both cases; bob leads skies; olga leads another community; sam is staff."""
    return {
        "anonymous": None,
        "stranger": MemberFactory(handle="stranger"),
        "reporter": alice,
        "cohort": bob,
        "other_cohort": other_lead,
        "staff": staff,
    }


#: Who may read the community's case, and who the administrators' one.
MATRIX = {
    "anonymous": (False, False),
    "stranger": (False, False),
    "reporter": (False, False),
    "cohort": (True, False),
    "other_cohort": (False, False),
    "staff": (False, True),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_case_visibility_matrix_through_the_api(api_client, cases, personas, who):
    community_case, admin_case = cases
    member = personas[who]
    client = api_client.as_member(member) if member else api_client
    sees_community, sees_admin = MATRIX[who]

    for case, allowed in ((community_case, sees_community), (admin_case, sees_admin)):
        response = client.get(f"cases/{case.pk}")
        if member is None:
            assert response.status_code == 401
        elif allowed:
            assert response.status_code == 200, response.content
            assert response.json()["id"] == case.pk
        else:
            assert response.status_code == 404, (who, case)
    queue = client.get("communities/skies/cases")
    expected = 200 if sees_community else (401 if member is None else 404)
    assert queue.status_code == expected, (who, queue.content)


@pytest.mark.parametrize("who", list(MATRIX))
def test_case_visibility_matrix_through_pages(client, cases, personas, who):
    community_case, admin_case = cases
    member = personas[who]
    if member:
        client.force_login(member)
    sees_community, sees_admin = MATRIX[who]

    pages = [
        (f"/cases/{community_case.pk}/", sees_community),
        ("/c/skies/cases/", sees_community),
        (f"/cases/{admin_case.pk}/", sees_admin),
        ("/staff/cases/", sees_admin),
    ]
    for path, allowed in pages:
        response = client.get(path)
        if member is None:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/login/")
        else:
            assert response.status_code == (200 if allowed else 404), (who, path)


@pytest.mark.parametrize("who", list(MATRIX))
def test_case_queryset_matches_the_matrix(cases, personas, who):
    community_case, admin_case = cases
    member = personas[who]
    from django.contrib.auth.models import AnonymousUser

    visible = set(Case.objects.visible_to(member or AnonymousUser()))

    assert (community_case in visible, admin_case in visible) == MATRIX[who]


def test_reporter_sees_own_report_but_not_others(alice, bob, cases, eves_post):
    theirs = actions.file_report(eves_post, by=bob, rule_number=2, reason="Spam.")

    alices = set(Report.objects.visible_to(alice).filter(case=cases[0]))
    bobs = set(Report.objects.visible_to(bob).filter(case=cases[0]))

    assert {report.reporter for report in alices} == {alice}
    assert theirs in bobs  # bob leads skies: he reviews every report there
    assert len(bobs) == 2
    assert not Report.objects.visible_to(MemberFactory()).exists()


def test_cohort_case_detail_shows_reports_and_the_snapshot(api_client, bob, cases):
    community_case, _ = cases

    detail = api_client.as_member(bob).get(f"cases/{community_case.pk}").json()

    assert detail["community"] == "skies"
    assert detail["target"]["type"] == "post"
    assert detail["subject"] == "eve"
    assert [r["reporter"] for r in detail["reports"]] == ["alice"]
    assert detail["reports"][0]["rule"] == 1
    assert detail["reports"][0]["snapshot"]["title"] == "Cheap telescopes here"


def test_staff_case_detail_shares_only_the_cited_messages(client, staff, cases):
    _, admin_case = cases
    client.force_login(staff)

    page = client.get(f"/cases/{admin_case.pk}/").content.decode()

    for seq in (1, 2, 3, 4):
        assert f"message number {seq}" in page
    assert "reported message" in page


def test_queue_filters_by_state(api_client, bob, cases):
    community_case, _ = cases
    as_bob = api_client.as_member(bob)

    waiting = as_bob.get("communities/skies/cases").json()
    resolved = as_bob.get("communities/skies/cases?state=resolved").json()
    wrong = as_bob.get("communities/skies/cases?state=lost")

    assert [c["id"] for c in waiting] == [community_case.pk]
    assert waiting[0]["state_text"] == "Waiting for a reviewer"
    assert resolved == []
    assert wrong.status_code == 400


def test_cohort_case_list_page_lists_the_case(client, bob, cases):
    client.force_login(bob)

    page = client.get("/c/skies/cases/").content.decode()

    assert "Cheap telescopes here" in page
    assert f'href="/cases/{cases[0].pk}/"' in page


def test_resolved_case_lets_a_new_case_open(alice, eves_post):
    first = actions.file_report(eves_post, by=alice, rule_number=1, reason="Spam.")
    Case.objects.filter(pk=first.case_id).update(state=Case.State.RESOLVED)

    again = actions.file_report(eves_post, by=alice, rule_number=1, reason="Again.")

    assert again.case_id != first.case_id
    assert Case.objects.unresolved().get() == again.case


# System cases -------------------------------------------------------------------------


def test_open_system_case_opens_a_case_without_a_reporter(skies, eves_post):
    case = actions.open_system_case(
        community=skies, target=eves_post, reason="Pile-on: many requests."
    )

    assert (case.community, case.post, case.state) == (skies, eves_post, "open")
    report = case.reports.get()
    assert report.reporter is None
    assert report.rule_number is None
    assert report.reason == "Pile-on: many requests."


def test_open_system_case_joins_an_open_case_on_the_same_target(
    alice, skies, eves_post
):
    reported = actions.file_report(eves_post, by=alice, rule_number=1, reason="Spam.")

    joined = actions.open_system_case(
        community=skies, target=eves_post, reason="Pile-on."
    )
    again = actions.open_system_case(
        community=skies, target=eves_post, reason="Pile-on."
    )

    assert joined == again == reported.case
    assert joined.reports.count() == 2


def test_open_system_case_keeps_other_posts_apart(skies, eves_post):
    other = PostFactory(community=skies)

    one = actions.open_system_case(community=skies, target=eves_post, reason="A.")
    two = actions.open_system_case(community=skies, target=other, reason="B.")

    assert one != two

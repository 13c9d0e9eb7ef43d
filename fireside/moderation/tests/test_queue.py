"""The cohort's queue: claiming, taking over, notes, second opinions, resolving and
reopening, filters, peer review, workload and round-robin; the public log and hidden
posts, each seen by everyone who might look."""

import pytest
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Community
from fireside.moderation import actions, queries
from fireside.moderation.models import Case, CaseNote, ModAction, Notice
from fireside.moderation.tests.conftest import make_cohort
from fireside.posts.tests.factories import PostFactory
from tests.helpers import assert_error


@pytest.fixture
def carol(skies):
    member = MemberFactory(handle="carol", display_name="Carol Cruz")
    make_cohort(member, skies)
    return member


@pytest.fixture
def case(alice, eves_post):
    return actions.file_report(eves_post, by=alice, rule_number=2, reason="Sells.").case


@pytest.fixture
def as_bob(api_client, bob):
    return api_client.as_member(bob)


@pytest.fixture
def as_carol(api_client, carol):
    return api_client.as_member(carol)


def test_claim_shows_to_all_and_take_over_leaves_a_note(as_bob, as_carol, case):
    claimed = as_bob.post(f"cases/{case.pk}/claim")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["claimed_by"] == "bob"
    assert as_carol.get(f"cases/{case.pk}").json()["claimed_by"] == "bob"

    assert_error(as_carol.post(f"cases/{case.pk}/claim"), 403, "claimed_by_other")
    taken = as_carol.post(f"cases/{case.pk}/claim", json={"take_over": True}).json()
    assert taken["claimed_by"] == "carol"
    assert [(n["kind"], n["author"]) for n in taken["notes"]] == [
        ("taken_over", "carol")
    ]
    assert "@bob" in taken["notes"][0]["body"]


def test_unclaim_only_by_the_claimer(as_bob, as_carol, case):
    as_bob.post(f"cases/{case.pk}/claim")
    assert_error(as_carol.post(f"cases/{case.pk}/unclaim"), 403, "not_claimer")
    back = as_bob.post(f"cases/{case.pk}/unclaim").json()
    assert (back["state"], back["claimed_by"]) == ("open", None)


def test_notes_are_validated(as_bob, case):
    assert_error(
        as_bob.post(f"cases/{case.pk}/notes", json={"body": " "}), 400, "invalid"
    )
    assert_error(
        as_bob.post(f"cases/{case.pk}/notes", json={"body": "x" * 2001}), 400, "invalid"
    )
    made = as_bob.post(f"cases/{case.pk}/notes", json={"body": "Looks like spam."})
    assert made.status_code == 201
    assert made.json()["kind"] == "note"


def test_second_opinion_is_asked_filtered_notified_and_given(
    as_bob, as_carol, bob, carol, case
):
    asked = as_bob.post(
        f"cases/{case.pk}/second-opinion/ask", json={"body": "Ban or warn?"}
    )
    assert asked.json()["needs_second_opinion"] is True
    listed = as_carol.get("communities/skies/cases?state=second_opinion").json()
    assert [item["id"] for item in listed] == [case.pk]
    assert Notice.objects.filter(member=carol, kind="second_opinion").exists()
    assert not Notice.objects.filter(member=bob).exists()

    assert_error(
        as_bob.post(f"cases/{case.pk}/second-opinion", json={"body": "Me"}),
        403,
        "own_request",
    )
    given = as_carol.post(f"cases/{case.pk}/second-opinion", json={"body": "Warn."})
    assert given.json()["needs_second_opinion"] is False
    assert as_carol.get("communities/skies/cases?state=second_opinion").json() == []
    kinds = list(CaseNote.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["second_opinion_asked", "second_opinion"]


def test_resolve_and_reopen_with_a_required_comment(as_bob, as_carol, case):
    resolved = as_bob.post(f"cases/{case.pk}/resolve", json={"comment": "Fine."})
    assert resolved.json()["state"] == "resolved"
    assert as_bob.get("communities/skies/cases").json() == []
    assert [
        c["id"] for c in as_bob.get("communities/skies/cases?state=resolved").json()
    ] == [case.pk]
    assert_error(
        as_carol.post(f"cases/{case.pk}/reopen", json={"comment": ""}), 400, "invalid"
    )
    reopened = as_carol.post(f"cases/{case.pk}/reopen", json={"comment": "Look again."})
    assert reopened.json()["state"] == "open"
    assert reopened.json()["notes"][-1]["kind"] == "reopened"


def test_resolve_waits_for_pending_actions(as_bob, case):
    as_bob.post(
        f"cases/{case.pk}/actions", json={"kind": "ban", "rule": 2, "reason": "x"}
    )
    assert_error(as_bob.post(f"cases/{case.pk}/resolve"), 400, "actions_pending")


def test_reopen_refused_when_a_newer_case_is_open(as_bob, alice, case, eves_post, eve):
    as_bob.post(f"cases/{case.pk}/resolve")
    charlie_like = MemberFactory(handle="dora")
    from fireside.communities.tests.factories import MembershipFactory

    MembershipFactory(community=case.community, member=charlie_like)
    newer = actions.file_report(
        eves_post, by=charlie_like, rule_number=1, reason="x"
    ).case
    assert newer.pk != case.pk
    assert_error(
        as_bob.post(f"cases/{case.pk}/reopen", json={"comment": "Again"}),
        400,
        "already_open",
    )


def test_mine_filter_has_claimed_and_assigned_cases(
    as_bob, bob, carol, case, skies, alice, eve
):
    other = actions.file_report(
        eve, by=alice, community=skies, rule_number=1, reason="x"
    ).case
    Case.objects.filter(pk=other.pk).update(assigned_to=bob)
    as_bob.post(f"cases/{case.pk}/claim")
    mine = as_bob.get("communities/skies/cases?state=mine").json()
    assert sorted(item["id"] for item in mine) == sorted([case.pk, other.pk])
    assigned = next(item for item in mine if item["id"] == other.pk)
    assert assigned["assigned_to_you"] is True


def test_round_robin_assigns_the_least_loaded_then_longest_waiting(
    bob, carol, skies, alice, eve
):
    skies.round_robin = True
    skies.save(update_fields=["round_robin"])
    first = PostFactory(community=skies, author=eve)
    second = PostFactory(community=skies, author=eve)
    third = PostFactory(community=skies, author=eve)
    assignees = [
        actions.file_report(post, by=alice, rule_number=1, reason="x").case.assigned_to
        for post in (first, second)
    ]
    assert sorted(m.handle for m in assignees) == ["bob", "carol"]
    # Both have one open case now: the one assigned longest ago gets the next.
    case3 = actions.file_report(third, by=alice, rule_number=1, reason="x").case
    assert case3.assigned_to == assignees[0]
    assert Notice.objects.filter(kind="assigned").count() == 3


def test_without_round_robin_nothing_is_assigned(case):
    assert case.assigned_to is None


def test_workload_counts_the_last_30_days(as_bob, as_carol, bob, carol, case, skies):
    as_bob.post(f"cases/{case.pk}/claim")
    action_id = as_bob.post(
        f"cases/{case.pk}/actions", json={"kind": "ban", "rule": 2, "reason": "x"}
    ).json()["id"]
    as_carol.post(f"actions/{action_id}/confirm")
    rows = {row.member.handle: row for row in queries.workload(skies)}
    assert (rows["bob"].claimed, rows["bob"].resolved, rows["bob"].proposed) == (
        1,
        1,
        1,
    )
    assert (rows["carol"].confirmed, rows["carol"].proposed) == (1, 0)
    Case.objects.update(claimed_at=timezone.now() - timezone.timedelta(days=31))
    assert {row.member.handle: row.claimed for row in queries.workload(skies)}[
        "bob"
    ] == 0


def test_peer_review_shows_the_others_decisions(as_bob, bob, carol, case, skies):
    as_bob.post(f"cases/{case.pk}/claim")
    as_bob.post(
        f"cases/{case.pk}/actions", json={"kind": "warn", "rule": 2, "reason": "x"}
    )
    assert [c.pk for c in queries.recent_decisions(skies, viewer=carol)] == [case.pk]
    assert list(queries.recent_decisions(skies, viewer=bob)) == []


# Who sees what -------------------------------------------------------------------------


@pytest.fixture
def personas(alice, bob, other_lead, staff):
    return {
        "anonymous": None,
        "stranger": MemberFactory(handle="stranger"),
        "member": alice,
        "cohort": bob,
        "other_cohort": other_lead,
        "staff": staff,
    }


#: (queue and cohort pages, log of the open listed community, log of a request one)
MATRIX = {
    "anonymous": (False, True, False),
    "stranger": (False, True, False),
    "member": (False, True, True),
    "cohort": (True, True, True),
    "other_cohort": (False, True, False),
    "staff": (False, True, False),
}


@pytest.fixture
def request_community(skies, alice, bob):
    skies.visibility = Community.Visibility.REQUEST
    skies.save(update_fields=["visibility"])
    return skies


@pytest.mark.parametrize("who", list(MATRIX))
def test_queue_and_action_visibility_matrix_api(api_client, case, personas, who):
    member = personas[who]
    client = api_client.as_member(member) if member else api_client
    may_review, _, _ = MATRIX[who]
    refused = 401 if member is None else 404
    for method, path, body in [
        ("get", "communities/skies/cases?state=mine", None),
        ("post", f"cases/{case.pk}/claim", {}),
        ("post", f"cases/{case.pk}/notes", {"body": "hi"}),
        (
            "post",
            f"cases/{case.pk}/actions",
            {"kind": "warn", "rule": 1, "reason": "x"},
        ),
    ]:
        response = (
            getattr(client, method)(path, json=body)
            if body is not None
            else client.get(path)
        )
        if may_review:
            assert response.status_code in (200, 201), (path, response.content)
        else:
            assert response.status_code == refused, (who, path, response.content)


@pytest.mark.parametrize("who", list(MATRIX))
def test_log_visibility_matrix(api_client, client, case, personas, who, bob):
    actions.propose_action(case, by=bob, kind="warn", rule_number=2, reason="Why.")
    member = personas[who]
    api = api_client.as_member(member) if member else api_client
    _, open_log, _ = MATRIX[who]
    assert (api.get("communities/skies/log").status_code == 200) == open_log
    if member:
        client.force_login(member)
    page = client.get("/c/skies/log/")
    assert page.status_code == 200
    assert "Why." in page.content.decode()


@pytest.mark.parametrize("who", list(MATRIX))
def test_log_of_a_request_community_is_for_members(
    api_client, client, case, personas, who, bob, request_community
):
    actions.propose_action(case, by=bob, kind="warn", rule_number=2, reason="Why.")
    member = personas[who]
    api = api_client.as_member(member) if member else api_client
    _, _, allowed = MATRIX[who]
    response = api.get("communities/skies/log")
    if allowed:
        assert response.status_code == 200
    else:
        assert_error(response, 403, "members_only")
    if member:
        client.force_login(member)
    page = client.get("/c/skies/log/")
    if allowed:
        assert page.status_code == 200
    elif member is None:
        assert page.status_code == 302
    else:
        assert page.status_code == 403
        assert "Why." not in page.content.decode()


def test_log_shows_handles_when_the_community_chooses(
    api_client, case, bob, carol, skies
):
    Community.objects.filter(pk=skies.pk).update(log_shows_handles=True)
    action = actions.propose_action(case, by=bob, kind="ban", rule_number=2, reason="x")
    assert api_client.get("communities/skies/log").json() == []  # pending: never
    actions.confirm_action(action, by=carol)
    (entry,) = api_client.get("communities/skies/log").json()
    assert entry["attributed_to"] == "@bob and @carol"


def test_log_marks_overturned_and_never_shows_lapsed_or_dismissed(
    api_client, case, bob, alice, eve, skies
):
    warn = actions.propose_action(case, by=bob, kind="warn", rule_number=2, reason="w")
    actions.overturn_action(warn, by=bob, reason="Sorry.")
    case2 = actions.case_for(community=skies, target=eve)
    lapsed = actions.propose_action(
        case2, by=bob, kind="ban", rule_number=1, reason="b"
    )
    ModAction.objects.filter(pk=lapsed.pk).update(
        proposed_at=timezone.now() - timezone.timedelta(days=4)
    )
    actions.propose_action(case2, by=bob, kind="dismiss", reason="d")
    log = api_client.get("communities/skies/log").json()
    assert [(e["action"], e["state"]) for e in log] == [("warn", "overturned")]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("anonymous", False),
        ("stranger", False),
        ("member", False),
        ("author", True),
        ("cohort", True),
        ("other_cohort", False),
    ],
)
def test_hidden_post_visibility(
    api_client, client, case, personas, bob, eve, eves_post, who, sees
):
    from fireside.posts.models import Post

    actions.propose_action(case, by=bob, kind="hide", rule_number=2, reason="Spam.")
    member = eve if who == "author" else personas[who]
    assert Post.objects.visible_to(member).filter(pk=eves_post.pk).exists() == sees
    api = api_client.as_member(member) if member else api_client
    assert (api.get(f"posts/{eves_post.pk}").status_code == 200) == sees
    listed = api.get("communities/skies/posts").json()["items"]
    assert (eves_post.pk in [item["id"] for item in listed]) == sees
    if member:
        client.force_login(member)
    page = client.get(f"/p/{eves_post.pk}/")
    assert (page.status_code == 200) == sees
    if who == "author":
        assert "hidden by the cohort under rule 2" in page.content.decode()


def test_hidden_post_leaves_the_feed(api_client, case, bob, alice, eves_post):
    before = api_client.as_member(alice).get("feed").json()["items"]
    assert any(item.get("id") == eves_post.pk for item in before)
    actions.propose_action(case, by=bob, kind="hide", rule_number=2, reason="Spam.")
    after = api_client.as_member(alice).get("feed").json()["items"]
    assert not any(item.get("id") == eves_post.pk for item in after)


# Pages -------------------------------------------------------------------------------


def test_case_pages_walk_through_claim_propose_and_confirm(
    client, case, bob, carol, eve
):
    client.force_login(bob)
    assert client.post(f"/cases/{case.pk}/claim/").status_code == 302
    response = client.post(
        f"/cases/{case.pk}/actions/", {"kind": "ban", "rule": "2", "reason": "Spam."}
    )
    assert response.status_code == 302
    action = ModAction.objects.get()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "You proposed it" in page
    assert client.post(f"/actions/{action.pk}/confirm/").status_code == 403
    client.force_login(carol)
    queue = client.get("/c/skies/cases/").content.decode()
    assert "Waiting for a second cohort member" in queue
    assert client.post(f"/actions/{action.pk}/confirm/").status_code == 302
    action.refresh_from_db()
    assert action.state == ModAction.State.IN_FORCE
    client.force_login(eve)
    notices = client.get("/settings/moderation/").content.decode()
    assert "Spam." in notices
    assert "rule 2" in notices.lower()


def test_case_page_keeps_input_and_explains_a_refusal(client, case, bob):
    client.force_login(bob)
    response = client.post(
        f"/cases/{case.pk}/actions/", {"kind": "mute", "rule": "2", "reason": "Calm."}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "how many days" in page
    assert "Calm." in page
    bad = client.post(
        f"/cases/{case.pk}/actions/", {"kind": "mute", "rule": "x", "reason": "C"}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/c/skies/cases/review/",
        "/c/skies/cases/workload/",
        "/c/skies/cases/?state=second_opinion",
    ],
)
def test_cohort_pages_are_for_the_cohort(client, case, bob, alice, path):
    client.force_login(alice)
    assert client.get(path).status_code == 404
    client.force_login(bob)
    assert client.get(path).status_code == 200

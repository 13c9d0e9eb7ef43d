import pytest

from fireside.communities.models import Community
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.moderation.models import Case, Report
from fireside.posts.tests.factories import PostFactory
from tests.helpers import assert_error


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


def report(client, **body):
    body.setdefault("reason", "It breaks the rule.")
    return client.post("reports", json=body)


# Posts --------------------------------------------------------------------------------


def test_report_post_answers_201_with_the_case_of_its_cohort(
    alice, as_alice, skies, eves_post, eve
):
    response = report(as_alice, target={"type": "post", "id": eves_post.pk}, rule=2)

    assert response.status_code == 201, response.content
    assert set(response.json()) == {"id", "case"}
    case = Case.objects.get(pk=response.json()["case"])
    assert case.community == skies
    assert (case.target_type, case.target_id, case.subject) == (
        "post",
        eves_post.pk,
        eve,
    )
    saved = Report.objects.get(pk=response.json()["id"])
    assert (saved.reporter, saved.rule_number, saved.rule_text) == (
        alice,
        2,
        "No selling.",
    )
    assert saved.snapshot["title"] == "Cheap telescopes here"


def test_report_post_again_returns_the_same_report(as_alice, eves_post):
    first = report(as_alice, target={"type": "post", "id": eves_post.pk}, rule=2)
    again = report(as_alice, target={"type": "post", "id": eves_post.pk}, rule=1)

    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert Report.objects.count() == 1


def test_two_reports_on_one_post_join_one_case(api_client, bob, as_alice, eves_post):
    first = report(as_alice, target={"type": "post", "id": eves_post.pk}, rule=1)
    second = report(
        api_client.as_member(bob), target={"type": "post", "id": eves_post.pk}, rule=2
    )

    assert second.status_code == 201, second.content
    assert first.json()["case"] == second.json()["case"]
    assert first.json()["id"] != second.json()["id"]
    assert Case.objects.count() == 1


def test_report_post_refuses_a_rule_the_community_lacks(as_alice, eves_post):
    body = assert_error(
        report(as_alice, target={"type": "post", "id": eves_post.pk}, rule=7),
        400,
        "invalid",
    )

    assert "Rule 7" in body["errors"]["rule"][0]
    assert not Report.objects.exists()


def test_report_post_asks_for_a_rule_when_the_community_has_rules(as_alice, eves_post):
    body = assert_error(
        report(as_alice, target={"type": "post", "id": eves_post.pk}), 400, "invalid"
    )

    assert "rule" in body["errors"]


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 1001])
def test_report_refuses_a_missing_blank_or_long_reason(as_alice, eves_post, reason):
    body = {"target": {"type": "post", "id": eves_post.pk}, "rule": 1}
    if reason is not None:
        body["reason"] = reason

    error = assert_error(as_alice.post("reports", json=body), 400, "invalid")

    assert "reason" in error["errors"]
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "target",
    [
        {"type": "post", "id": 999_999},
        {"type": "post", "id": 2**70},
        {"type": "post", "id": "seven"},
        {"type": "member", "id": "nobody_here"},
        {"type": "message", "id": 999_999},
    ],
)
def test_report_unknown_target_is_404(as_alice, skies, target):
    error = assert_error(report(as_alice, target=target), 404, "not_found")

    assert "target" in error["errors"]


def test_report_refuses_a_malformed_target(as_alice):
    assert_error(report(as_alice, target={"type": "dialogue", "id": 1}), 400, "invalid")
    assert_error(report(as_alice, target="post 1"), 400, "invalid")


def test_report_post_one_cannot_see_is_404(api_client, charlie):
    private = CommunityFactory(visibility=Community.Visibility.INVITE)
    hidden = PostFactory(community=private)

    response = report(
        api_client.as_member(charlie), target={"type": "post", "id": hidden.pk}
    )

    assert_error(response, 404, "not_found")


def test_report_own_post_is_refused(api_client, eve, eves_post):
    response = report(
        api_client.as_member(eve), target={"type": "post", "id": eves_post.pk}, rule=1
    )

    assert "target" in assert_error(response, 400, "own_target")["errors"]


def test_report_post_needs_standing_in_its_community(api_client, charlie, eves_post):
    response = report(
        api_client.as_member(charlie),
        target={"type": "post", "id": eves_post.pk},
        rule=1,
    )

    assert_error(response, 403, "may_not_report")
    assert not Case.objects.exists()


def test_report_post_refuses_another_community(as_alice, eves_post, other_lead):
    response = report(
        as_alice,
        target={"type": "post", "id": eves_post.pk},
        community="hives",
        rule=1,
    )

    assert "community" in assert_error(response, 400, "invalid")["errors"]


def test_reports_are_rate_limited(api_client, alice, skies, settings):
    settings.FIRESIDE_RATE_LIMITS = {
        **settings.FIRESIDE_RATE_LIMITS,
        "report.member": (2, 3600),
    }
    as_alice = api_client.as_member(alice)
    posts = [PostFactory(community=skies) for _ in range(3)]
    for post in posts:
        MembershipFactory(community=skies, member=post.author)

    answers = [
        report(as_alice, target={"type": "post", "id": post.pk}, rule=1)
        for post in posts
    ]

    assert [a.status_code for a in answers[:2]] == [201, 201]
    body = assert_error(answers[2], 429, "rate_limited")
    assert body["retry_after"] >= 1
    assert answers[2]["Retry-After"]


def test_report_needs_a_member(api_client, eves_post):
    response = report(api_client, target={"type": "post", "id": eves_post.pk}, rule=1)

    assert_error(response, 401, "not_authenticated")


# Members ------------------------------------------------------------------------------


def test_report_member_in_a_community_goes_to_its_cohort(as_alice, skies, eve):
    response = report(
        as_alice, target={"type": "member", "id": "eve"}, community="skies", rule=1
    )

    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case"])
    assert (case.community, case.target_type, case.subject) == (skies, "member", eve)
    assert Report.objects.get().snapshot["handle"] == "eve"


def test_report_member_by_id_without_a_community_goes_to_administrators(as_alice, eve):
    response = report(as_alice, target={"type": "member", "id": eve.pk})

    assert response.status_code == 201, response.content
    assert Case.objects.get(pk=response.json()["case"]).community is None


def test_report_member_refuses_a_community_they_are_not_in(as_alice, charlie, skies):
    response = report(
        as_alice, target={"type": "member", "id": "charlie"}, community="skies", rule=1
    )

    assert "community" in assert_error(response, 400, "invalid")["errors"]


def test_report_member_refuses_an_unknown_community(as_alice, eve):
    response = report(as_alice, target={"type": "member", "id": "eve"}, community="zz")

    assert "community" in assert_error(response, 404, "not_found")["errors"]


def test_report_oneself_is_refused(as_alice):
    response = report(as_alice, target={"type": "member", "id": "alice"})

    assert_error(response, 400, "own_target")


# Messages -----------------------------------------------------------------------------


def test_report_message_shares_the_cited_message_and_its_neighbours_only(
    as_alice, skies, post_conversation
):
    cited = post_conversation.messages.get(seq=5)

    response = report(as_alice, target={"type": "message", "id": cited.pk}, rule=1)

    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case"])
    assert (case.community, case.target_type, case.message) == (skies, "message", cited)
    snapshot = Report.objects.get().snapshot
    shared = snapshot["messages"]
    assert snapshot["cited_seq"] == 5
    assert [m["seq"] for m in shared] == [3, 4, 5, 6, 7, 8]
    assert len(shared) - 1 <= 5
    assert {m["body"] for m in shared} == {f"message number {n}" for n in range(3, 9)}
    assert set(shared[0]) == {"author", "seq", "body", "deleted", "sent_at"}
    text = str(snapshot)
    for other in (1, 2, 9, 10):
        assert f"message number {other}'" not in text


def test_report_message_near_the_start_shares_fewer(as_alice, post_conversation):
    cited = post_conversation.messages.get(seq=2)

    report(as_alice, target={"type": "message", "id": cited.pk}, rule=1)

    shared = Report.objects.get().snapshot["messages"]
    assert [m["seq"] for m in shared] == [1, 2, 3, 4, 5]


def test_report_private_message_goes_to_administrators(as_alice, private_conversation):
    cited = private_conversation.messages.get(seq=3)

    response = report(as_alice, target={"type": "message", "id": cited.pk})

    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case"])
    assert case.community is None
    assert case.target_type == "message"


def test_report_private_message_refuses_a_rule(as_alice, private_conversation):
    cited = private_conversation.messages.get(seq=3)

    response = report(as_alice, target={"type": "message", "id": cited.pk}, rule=1)

    assert "rule" in assert_error(response, 400, "invalid")["errors"]


def test_report_message_of_someone_elses_conversation_is_404(
    api_client, bob, post_conversation
):
    cited = post_conversation.messages.get(seq=5)

    response = report(
        api_client.as_member(bob), target={"type": "message", "id": cited.pk}, rule=1
    )

    assert "target" in assert_error(response, 404, "not_found")["errors"]
    assert not Report.objects.exists()


def test_report_own_message_is_refused(api_client, eve, post_conversation):
    own = post_conversation.messages.get(seq=5)  # eve wrote 2..10

    response = report(
        api_client.as_member(eve), target={"type": "message", "id": own.pk}, rule=1
    )

    assert_error(response, 400, "own_target")


# Your reports -------------------------------------------------------------------------


def test_list_your_reports_shows_the_case_state_in_words(
    api_client, as_alice, bob, eves_post
):
    report(as_alice, target={"type": "post", "id": eves_post.pk}, rule=2)
    report(
        api_client.as_member(bob), target={"type": "post", "id": eves_post.pk}, rule=1
    )

    mine = as_alice.get("reports").json()

    assert len(mine) == 1
    assert mine[0]["state"] == "open"
    assert mine[0]["state_text"] == "Waiting for a reviewer"
    assert mine[0]["target"]["type"] == "post"
    assert "reporter" not in mine[0]

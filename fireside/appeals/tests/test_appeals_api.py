"""Appeals through the API: the affected member appeals once, the appeal goes to a cohort
member who did not act (or the administrators), and only the assignee decides."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.appeals.models import Appeal
from fireside.appeals.tests.conftest import add_moderator, ban
from fireside.communities.models import Membership
from fireside.communities.tests.factories import MembershipFactory
from fireside.moderation import actions as moderation
from fireside.moderation.models import ModAction
from fireside.moderation.permissions import is_banned_from
from tests.helpers import assert_error

REASON = "I quoted someone else's insult to report it; I did not insult anyone."


def appeal(api_client, member, action, reason=REASON):
    return api_client.as_member(member).post(
        f"actions/{action.pk}/appeal", json={"reason": reason}
    )


def cohort_view(api_client, member, slug="hearth"):
    response = api_client.as_member(member).get(f"communities/{slug}/appeals")
    assert response.status_code == 200, response.content
    return response.json()


def test_appeal_goes_to_a_cohort_member_who_neither_proposed_nor_confirmed(
    api_client, hearth, ann, ben, mel, banned
):
    cat = add_moderator(hearth, "cat")
    assert banned.state == ModAction.State.IN_FORCE
    assert banned.proposed_by == ann
    assert banned.confirmed_by == ben

    response = appeal(api_client, mel, banned)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "open"
    assert body["assigned_to"] == "cohort"
    # The appellant is not told which peer decides; the cohort is.
    assert "assignee" not in body
    (item,) = cohort_view(api_client, ann)
    assert item["id"] == body["id"]
    assert item["assignee"] == cat.handle
    assert item["appellant"] == "mel"


def test_appeal_goes_to_administrators_when_only_the_actors_moderate(
    api_client, hearth, ann, mel, banned
):
    response = appeal(api_client, mel, banned)

    assert response.status_code == 201, response.content
    assert response.json()["assigned_to"] == "administrators"
    (item,) = cohort_view(api_client, ann)
    assert item["assignee"] is None
    assert Appeal.objects.get().assignee is None


def test_appeal_assignee_has_fewest_open_appeals_then_served_longest(
    api_client, hearth, ann, ben, rita
):
    dan = add_moderator(hearth, "dan")
    cat = add_moderator(hearth, "cat")
    Membership.objects.filter(member=cat).update(
        joined_at=timezone.now() - timedelta(days=400)
    )
    Membership.objects.filter(member=dan).update(
        joined_at=timezone.now() - timedelta(days=10)
    )
    first, second = MemberFactory(handle="pia"), MemberFactory(handle="quin")
    for member in (first, second):
        MembershipFactory(community=hearth, member=member)
    one = ban(hearth, subject=first, reporter=rita, proposer=ann, confirmer=ben)
    two = ban(hearth, subject=second, reporter=rita, proposer=ann, confirmer=ben)

    assert appeal(api_client, first, one).status_code == 201
    assert appeal(api_client, second, two).status_code == 201

    assignees = {
        item["appellant"]: item["assignee"] for item in cohort_view(api_client, ann)
    }
    # cat served longest, so takes the first; dan then has fewer open appeals.
    assert assignees == {"pia": "cat", "quin": "dan"}


def test_appeal_is_accepted_once_per_action(api_client, hearth, mel, banned):
    assert appeal(api_client, mel, banned).status_code == 201

    assert_error(appeal(api_client, mel, banned, "Again."), 400, "already_appealed")
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize("who", ["rita", "ann", "ben"])
def test_appeal_is_not_found_for_anyone_but_the_affected_member(
    api_client, hearth, banned, who, request
):
    response = appeal(api_client, request.getfixturevalue(who), banned)

    assert_error(response, 404, "not_found")
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [("   ", "Say why"), ("x" * 1001, "1,000 characters")],
)
def test_appeal_refuses_missing_or_long_reason(
    api_client, hearth, mel, banned, reason, message
):
    body = assert_error(appeal(api_client, mel, banned, reason), 400, "invalid")

    assert message in body["errors"]["reason"][0]


def test_appeal_refuses_an_overturned_action(api_client, hearth, ann, mel, banned):
    moderation.overturn_action(banned, by=ann, reason="We were wrong.")

    assert_error(appeal(api_client, mel, banned), 400, "not_appealable")


def decide(api_client, member, appeal_id, outcome, reason="Reviewed the messages."):
    return api_client.as_member(member).post(
        f"appeals/{appeal_id}/decide", json={"outcome": outcome, "reason": reason}
    )


@pytest.fixture
def cat_appeal(api_client, hearth, mel, banned):
    """mel appealed the ban; cat, who took no part, decides."""
    cat = add_moderator(hearth, "cat")
    appeal_id = appeal(api_client, mel, banned).json()["id"]
    return cat, appeal_id


def test_decide_stands_keeps_the_ban(api_client, hearth, mel, banned, cat_appeal):
    cat, appeal_id = cat_appeal

    response = decide(api_client, cat, appeal_id, "stands")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "stands"
    assert response.json()["decided_by"] == "cat"
    assert is_banned_from(mel, hearth)
    (mine,) = api_client.as_member(mel).get("me/appeals").json()
    assert mine["state"] == "stands"
    assert mine["decision_reason"] == "Reviewed the messages."
    assert "assignee" not in mine
    assert "decided_by" not in mine
    # She is told, as she would be of an overturn.
    from fireside.moderation.models import Notice

    assert Notice.objects.filter(
        member=mel, kind=Notice.Kind.APPEAL_STANDS, action=banned
    ).exists()


@pytest.mark.parametrize("outcome", ["stands", "overturned"])
def test_the_public_log_shows_an_appeals_outcome(
    api_client, client, hearth, mel, banned, cat_appeal, outcome
):
    cat, appeal_id = cat_appeal
    assert api_client.get(f"communities/{hearth.slug}/log").json()[0]["appeal"] is None

    decide(api_client, cat, appeal_id, outcome, reason="We read it all again.")

    (entry,) = api_client.get(f"communities/{hearth.slug}/log").json()
    assert entry["appeal"]["outcome"] == outcome
    assert entry["appeal"]["reason"] == "We read it all again."
    page = client.get(f"/c/{hearth.slug}/log/").content.decode()
    words = "the action stands" if outcome == "stands" else "the action was overturned"
    assert f"Appealed: {words}" in page
    assert "@cat" not in page  # the peer who decided is not named


def test_decide_overturned_lifts_the_ban(api_client, hearth, mel, banned, cat_appeal):
    cat, appeal_id = cat_appeal
    assert is_banned_from(mel, hearth)

    response = decide(api_client, cat, appeal_id, "overturned")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "overturned"
    banned.refresh_from_db()
    assert banned.state == ModAction.State.OVERTURNED
    assert "Reviewed the messages." in banned.overturned_reason
    assert not is_banned_from(mel, hearth)


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("ann", 403, "not_assignee"),
        ("ben", 403, "not_assignee"),
        ("mel", 403, "not_assignee"),
        ("rita", 404, "not_found"),
        ("staff", 404, "not_found"),
    ],
)
def test_decide_is_for_the_assignee_only(
    api_client, request, cat_appeal, who, status, code
):
    _, appeal_id = cat_appeal

    response = decide(api_client, request.getfixturevalue(who), appeal_id, "overturned")

    assert_error(response, status, code)
    assert Appeal.objects.get().state == Appeal.State.OPEN


def test_decide_is_refused_once_decided(api_client, cat_appeal):
    cat, appeal_id = cat_appeal
    assert decide(api_client, cat, appeal_id, "stands").status_code == 200

    assert_error(
        decide(api_client, cat, appeal_id, "overturned"), 400, "already_decided"
    )


def test_decide_refuses_unknown_outcome_and_missing_reason(api_client, cat_appeal):
    cat, appeal_id = cat_appeal

    assert_error(decide(api_client, cat, appeal_id, "maybe"), 400, "invalid")
    body = assert_error(
        decide(api_client, cat, appeal_id, "stands", " "), 400, "invalid"
    )
    assert "reason" in body["errors"]


def test_administrators_decide_appeals_assigned_to_them(
    api_client, hearth, ann, mel, staff, banned
):
    appeal_id = appeal(api_client, mel, banned).json()["id"]

    assert_error(decide(api_client, ann, appeal_id, "overturned"), 403, "not_assignee")
    response = decide(api_client, staff, appeal_id, "overturned")

    assert response.status_code == 200, response.content
    assert not is_banned_from(mel, hearth)


def test_community_appeals_are_for_the_cohort_only(
    api_client, hearth, mel, rita, banned
):
    appeal(api_client, mel, banned)

    for member in (mel, rita):
        response = api_client.as_member(member).get("communities/hearth/appeals")
        assert_error(response, 404, "not_found")


def test_appeal_and_decide_are_not_found_for_others_whatever_the_body(
    api_client, rita, mel, banned, cat_appeal
):
    _, appeal_id = cat_appeal
    as_rita = api_client.as_member(rita)

    assert_error(as_rita.post(f"actions/{banned.pk}/appeal", json={}), 404, "not_found")
    assert_error(as_rita.post(f"appeals/{appeal_id}/decide", json={}), 404, "not_found")


def test_decide_asks_the_assignee_for_an_outcome(api_client, cat_appeal):
    cat, appeal_id = cat_appeal

    response = api_client.as_member(cat).post(
        f"appeals/{appeal_id}/decide", json={"reason": "Looked at it."}
    )

    body = assert_error(response, 400, "invalid")
    assert "outcome" in body["errors"]

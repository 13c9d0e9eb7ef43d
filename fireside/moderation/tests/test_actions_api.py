"""Actions on cases through the API: the two-person rule, each kind's effect, validation,
expiry after 72 hours, and what the affected member is told."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fireside.communities.models import Membership
from fireside.moderation import actions
from fireside.moderation.models import Case, ModAction, Notice
from fireside.moderation.tests.conftest import make_cohort
from fireside.posts.models import Post
from fireside.posts.tests.factories import PostFactory
from tests.helpers import assert_error


@pytest.fixture
def carol(db, skies):
    """A second moderator of skies, beside bob (its lead)."""
    from fireside.accounts.tests.factories import MemberFactory

    member = MemberFactory(handle="carol", display_name="Carol Cruz")
    make_cohort(member, skies)
    return member


@pytest.fixture
def as_alice(api_client, alice):
    return api_client.as_member(alice)


@pytest.fixture
def as_bob(api_client, bob):
    return api_client.as_member(bob)


@pytest.fixture
def as_carol(api_client, carol):
    return api_client.as_member(carol)


@pytest.fixture
def as_eve(api_client, eve):
    return api_client.as_member(eve)


@pytest.fixture
def case(alice, eves_post):
    return actions.file_report(eves_post, by=alice, rule_number=2, reason="Sells.").case


def propose(client, case, **body):
    return client.post(f"cases/{case.pk}/actions", json=body)


def test_must_show_flow_report_ban_confirm_log(
    as_alice, as_bob, as_carol, as_eve, api_client, eves_post, eve, skies
):
    reported = as_alice.post(
        "reports",
        json={
            "target": {"type": "post", "id": eves_post.pk},
            "rule": 2,
            "reason": "Selling telescopes.",
        },
    )
    assert reported.status_code == 201, reported.content
    case_id = reported.json()["case"]
    queue = as_bob.get("communities/skies/cases").json()
    assert [item["id"] for item in queue] == [case_id]

    proposed = as_bob.post(
        f"cases/{case_id}/actions",
        json={"kind": "ban", "rule": 2, "reason": "Repeated selling."},
    )
    assert proposed.status_code == 201, proposed.content
    assert proposed.json()["state"] == "pending"
    action_id = proposed.json()["id"]

    # Not in force: eve still posts.
    still = as_eve.post("communities/skies/posts", json={"title": "Hi", "body": "Yes"})
    assert still.status_code == 201, still.content
    assert as_eve.get("me/moderation").json() == []

    assert_error(as_bob.post(f"actions/{action_id}/confirm"), 403, "own_action")
    confirmed = as_carol.post(f"actions/{action_id}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["state"] == "in_force"
    assert confirmed.json()["confirmed_by"] == "carol"

    assert_error(
        as_eve.post("communities/skies/posts", json={"title": "Hi", "body": "Again"}),
        403,
        "banned",
    )
    assert not Membership.objects.filter(community=skies, member=eve).exists()
    assert_error(as_eve.post("communities/skies/join"), 403, "banned")

    log = api_client.get("communities/skies/log")
    assert log.status_code == 200
    (entry,) = log.json()
    assert entry["action"] == "ban"
    assert entry["rule"] == 2
    assert entry["rule_text"] == "No selling."
    assert entry["reason"] == "Repeated selling."
    assert entry["attributed_to"] == "the cohort"
    text = log.content.decode()
    for private in ("eve", "Cheap telescopes", "bob", "carol", "Selling telescopes"):
        assert private not in text

    mine = as_eve.get("me/moderation").json()
    assert [(a["kind"], a["rule"], a["reason"], a["state"]) for a in mine] == [
        ("ban", 2, "Repeated selling.", "in_force")
    ]
    assert mine[0]["appealable"] is True
    assert mine[0]["community"] == "skies"
    assert Case.objects.get(pk=case_id).state == Case.State.RESOLVED


def test_confirm_is_404_for_anyone_outside_the_cohort(
    api_client, as_bob, as_alice, case, other_lead, staff
):
    action_id = propose(as_bob, case, kind="ban", rule=2, reason="x").json()["id"]
    for member in (other_lead, staff):
        assert_error(
            api_client.as_member(member).post(f"actions/{action_id}/confirm"),
            404,
            "not_found",
        )
    assert_error(as_alice.post(f"actions/{action_id}/confirm"), 404, "not_found")
    assert api_client.post(f"actions/{action_id}/confirm").status_code == 401
    assert ModAction.objects.get(pk=action_id).state == ModAction.State.PENDING


def test_pending_action_lapses_after_72_hours(as_bob, as_carol, as_eve, case):
    action_id = propose(as_bob, case, kind="ban", rule=2, reason="x").json()["id"]
    ModAction.objects.filter(pk=action_id).update(
        proposed_at=timezone.now() - timedelta(hours=72, minutes=1)
    )
    # Read before any task ran: already lapsed.
    detail = as_bob.get(f"cases/{case.pk}").json()
    assert detail["actions"][0]["state"] == "lapsed"
    assert_error(as_carol.post(f"actions/{action_id}/confirm"), 400, "not_pending")
    assert (
        as_eve.post(
            "communities/skies/posts", json={"title": "Hi", "body": "Still here"}
        ).status_code
        == 201
    )

    from fireside.moderation.tasks import expire_pending_actions

    expire_pending_actions.call()
    assert ModAction.objects.get(pk=action_id).state == ModAction.State.LAPSED


def test_pending_action_within_72_hours_can_be_confirmed(as_bob, as_carol, case):
    action_id = propose(as_bob, case, kind="ban", rule=2, reason="x").json()["id"]
    ModAction.objects.filter(pk=action_id).update(
        proposed_at=timezone.now() - timedelta(hours=71)
    )
    assert actions.lapse_overdue_actions() == 0
    assert as_carol.post(f"actions/{action_id}/confirm").json()["state"] == "in_force"


@pytest.mark.parametrize(
    ("body", "state"),
    [
        ({"kind": "warn"}, "in_force"),
        ({"kind": "mute", "days": 30}, "in_force"),
        ({"kind": "suspend", "days": 7}, "in_force"),
        ({"kind": "suspend", "days": 8}, "pending"),
        ({"kind": "ban"}, "pending"),
        ({"kind": "hide"}, "in_force"),
        ({"kind": "dismiss"}, "in_force"),
    ],
)
def test_two_person_rule_by_kind(as_bob, case, body, state):
    response = propose(as_bob, case, rule=2, reason="Because.", **body)
    assert response.status_code == 201, response.content
    assert response.json()["state"] == state


def test_hiding_an_older_post_needs_a_second_person(as_bob, case, eves_post):
    Post.objects.filter(pk=eves_post.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    response = propose(as_bob, case, kind="hide", rule=2, reason="Old.")
    assert response.json()["state"] == "pending"
    assert Post.objects.get(pk=eves_post.pk).hidden_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "mute", "rule": 1, "reason": "x"}, "days"),
        ({"kind": "mute", "rule": 1, "reason": "x", "days": 0}, "days"),
        ({"kind": "suspend", "rule": 1, "reason": "x", "days": 366}, "days"),
        ({"kind": "ban", "rule": 1, "reason": "x", "days": 3}, "days"),
        ({"kind": "warn", "rule": 1, "reason": "x", "days": 3}, "days"),
        ({"kind": "warn", "rule": 9, "reason": "x"}, "rule"),
        ({"kind": "warn", "reason": "x"}, "rule"),
        ({"kind": "warn", "rule": 1, "reason": "   "}, "reason"),
        ({"kind": "warn", "rule": 1, "reason": "x" * 1001}, "reason"),
        ({"kind": "explode", "rule": 1, "reason": "x"}, "kind"),
        ({"rule": 1, "reason": "x"}, "kind"),
    ],
)
def test_propose_action_validation(as_bob, case, body, field):
    response = propose(as_bob, case, **body)
    body_out = assert_error(response, 400, "invalid")
    assert field in body_out["errors"], body_out
    assert not ModAction.objects.exists()


def test_hide_needs_a_post_case(as_bob, alice, bob, eve, skies):
    member_case = actions.file_report(
        eve, by=alice, community=skies, rule_number=1, reason="Rude."
    ).case
    response = propose(as_bob, member_case, kind="hide", rule=1, reason="x")
    assert "kind" in assert_error(response, 400, "invalid")["errors"]


def test_actions_on_a_cohort_member_or_oneself_are_refused(
    api_client, alice, bob, carol, skies
):
    case = actions.file_report(
        carol, by=alice, community=skies, rule_number=1, reason="Rude."
    ).case
    as_bob = api_client.as_member(bob)
    assert_error(
        propose(as_bob, case, kind="ban", rule=1, reason="x"), 403, "cohort_subject"
    )
    as_carol = api_client.as_member(carol)
    assert_error(
        propose(as_carol, case, kind="warn", rule=1, reason="x"), 403, "own_case"
    )


def test_actions_on_a_resolved_case_are_refused(as_bob, case):
    assert propose(as_bob, case, kind="dismiss", reason="Fine.").status_code == 201
    assert_error(
        propose(as_bob, case, kind="warn", rule=1, reason="x"), 400, "case_resolved"
    )


def test_mute_and_suspend_stop_posting_and_requests_with_the_end_date(
    as_bob, as_eve, case, eve, skies, bob, alice
):
    propose(as_bob, case, kind="mute", rule=2, reason="Cool off.", days=3)
    body = assert_error(
        as_eve.post("communities/skies/posts", json={"title": "t", "body": "b"}),
        403,
        "muted",
    )
    ends = ModAction.objects.get().ends_at
    assert f"{timezone.localtime(ends):%-d %B %Y}" in body["detail"]
    other_post = PostFactory(community=skies, author=alice)
    alice.who_may_ask = type(alice).WhoMayAsk.ANYONE
    alice.save(update_fields=["who_may_ask"])
    assert_error(
        as_eve.post(
            "conversations",
            json={
                "to": "alice",
                "post": other_post.pk,
                "message": "hi",
                "client_id": "a1",
            },
        ),
        403,
        "muted",
    )
    # Reading the community stays possible.
    assert as_eve.get("communities/skies/posts").status_code == 200


def test_suspension_ends_reporting_and_counts_as_suspended(
    as_bob, as_eve, case, eve, skies, alice
):
    from fireside.trust.standing import is_suspended_in, standing_in

    propose(as_bob, case, kind="suspend", rule=2, reason="A week off.", days=5)
    assert is_suspended_in(eve, skies)
    assert not standing_in(eve, skies).may_report
    assert_error(
        as_eve.post("communities/skies/posts", json={"title": "t", "body": "b"}),
        403,
        "suspended",
    )


def test_a_restriction_ends_with_its_period(as_bob, as_eve, case):
    propose(as_bob, case, kind="mute", rule=2, reason="x", days=1)
    ModAction.objects.update(ends_at=timezone.now() - timedelta(seconds=1))
    response = as_eve.post("communities/skies/posts", json={"title": "t", "body": "b"})
    assert response.status_code == 201, response.content


def test_warning_only_tells_the_member(as_bob, as_eve, case, eve):
    from fireside.trust.queries import upheld_actions_against

    propose(as_bob, case, kind="warn", rule=2, reason="Mind the rule.")
    notice = Notice.objects.get(member=eve)
    assert notice.action.kind == "warn"
    assert upheld_actions_against(eve, since=timezone.now() - timedelta(days=1)) == 1
    response = as_eve.post("communities/skies/posts", json={"title": "t", "body": "b"})
    assert response.status_code == 201


def test_dismissal_tells_nobody_and_counts_against_nobody(as_bob, case, eve):
    from fireside.trust.queries import upheld_actions_against

    response = propose(as_bob, case, kind="dismiss", reason="Nothing wrong.")
    assert response.json()["state"] == "in_force"
    assert not Notice.objects.filter(member=eve).exists()
    assert upheld_actions_against(eve, since=timezone.now() - timedelta(days=1)) == 0
    assert Case.objects.get(pk=case.pk).state == Case.State.RESOLVED


def test_the_member_hears_of_an_action_live(as_bob, case, eve, monkeypatch):
    from fireside.live import broadcast

    sent = []
    monkeypatch.setattr(
        broadcast, "send_now", lambda group, event: sent.append((group, event))
    )
    # The API client runs the on-commit callbacks as a committed request would.
    propose(as_bob, case, kind="warn", rule=2, reason="x")
    assert [(g, e["type"], e["kind"]) for g, e in sent] == [
        (f"member.{eve.pk}", "moderation.notice", "action")
    ]


def test_grant_and_revoke_leader_go_through_trust(as_bob, case, eve, bob):
    from fireside.trust.models import TrustChange

    propose(as_bob, case, kind="grant_leader", rule=1, reason="Helps everyone.")
    eve.refresh_from_db()
    assert eve.trust_level == 4
    change = TrustChange.objects.filter(member=eve).latest("changed_at")
    assert change.by == bob
    assert change.is_manual
    case2 = actions.case_for(community=case.community, target=eve)
    propose(as_bob, case2, kind="revoke_leader", rule=1, reason="Stepped back.")
    eve.refresh_from_db()
    assert eve.trust_level < 4


def test_overturn_undoes_a_hide_and_lets_a_banned_member_join(
    as_bob, as_carol, case, eve, eves_post, bob, skies, alice
):
    from fireside.communities.actions import join_community

    hidden = propose(as_bob, case, kind="hide", rule=2, reason="x").json()["id"]
    assert Post.objects.get(pk=eves_post.pk).hidden_at is not None
    actions.overturn_action(ModAction.objects.get(pk=hidden), by=bob, reason="Wrong.")
    assert Post.objects.get(pk=eves_post.pk).hidden_at is None

    case2 = actions.case_for(community=skies, target=eve)
    ban = propose(as_bob, case2, kind="ban", rule=1, reason="x").json()["id"]
    as_carol.post(f"actions/{ban}/confirm")
    action = ModAction.objects.get(pk=ban)
    assert not actions.is_appealable(ModAction.objects.get(pk=hidden))
    with pytest.raises(Exception, match="cohort"):
        actions.overturn_action(action, by=alice, reason="Me.")
    actions.overturn_action(action, by=bob, reason="Upheld appeal.")
    assert join_community(skies, member=eve).state == "active"
    assert Notice.objects.filter(member=eve, kind="overturned").count() == 2


def test_post_page_tells_a_muted_member_until_when(client, bob, case, eve):
    actions.propose_action(case, by=bob, kind="mute", rule_number=2, reason="x", days=3)
    client.force_login(eve)
    response = client.get("/c/skies/posts/new/")
    assert response.status_code == 403
    ends = ModAction.objects.get().ends_at
    assert f"until {timezone.localtime(ends):%-d %B %Y}" in response.content.decode()


def test_administrators_act_on_their_cases_without_a_rule(
    api_client, alice, charlie, private_conversation, staff
):
    cited = private_conversation.messages.get(seq=3)
    case = actions.file_report(cited, by=alice, reason="Threats.").case
    as_staff = api_client.as_member(staff)
    banned = propose(as_staff, case, kind="ban", reason="x")
    assert "kind" in assert_error(banned, 400, "invalid")["errors"]
    ruled = propose(as_staff, case, kind="warn", rule=1, reason="x")
    assert "rule" in assert_error(ruled, 400, "invalid")["errors"]
    warned = propose(as_staff, case, kind="warn", reason="No threats here.")
    assert warned.json()["state"] == "in_force"
    assert Notice.objects.filter(member=charlie).exists()

"""The cohort: invitations to moderate, handover of the lead, stepping down, removal,
succession when the lead leaves or is suspended, and the cohort's settings."""

import re
from datetime import timedelta

import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities import actions
from fireside.communities.models import (
    CohortEvent,
    CohortInvitation,
    Community,
    Membership,
)
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.core.exceptions import DomainError, NotAllowed, NotFound, ValidationFailed
from tests.helpers import assert_error


def role_of(community, member):
    return Membership.objects.get(community=community, member=member).role


def leads_of(community):
    return list(
        community.memberships.cohort()
        .filter(role=Membership.Role.LEAD)
        .values_list("member__handle", flat=True)
    )


def text_of(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def hearth(alice, bob, charlie):
    """bob leads hearth; alice and dora are members; charlie is a stranger."""
    community = CommunityFactory(slug="hearth", name="Hearth", created_by=bob)
    MembershipFactory(community=community, member=alice)
    return community


@pytest.fixture
def dora(hearth):
    member = MemberFactory(handle="dora", display_name="Dora Diaz")
    MembershipFactory(community=hearth, member=member)
    return member


def make_moderator(community, lead, member):
    actions.invite_to_cohort(community, by=lead, member=member)
    return actions.answer_cohort_invitation(community, member=member, accept=True)


# Invitations ------------------------------------------------------------------------


def test_invite_to_cohort_then_accept_makes_a_moderator(hearth, alice, bob):
    invitation = actions.invite_to_cohort(hearth, by=bob, member=alice)

    assert invitation.role == "moderator"
    assert role_of(hearth, alice) == "member"
    actions.answer_cohort_invitation(hearth, member=alice, accept=True)

    assert role_of(hearth, alice) == "moderator"
    invitation.refresh_from_db()
    assert invitation.accepted is True
    assert invitation.answered_at is not None
    assert hearth.cohort_events.get().kind == CohortEvent.Kind.JOINED


def test_invite_to_cohort_decline_keeps_a_member(hearth, alice, bob):
    actions.invite_to_cohort(hearth, by=bob, member=alice)

    actions.answer_cohort_invitation(hearth, member=alice, accept=False)

    assert role_of(hearth, alice) == "member"
    assert CohortInvitation.objects.get().accepted is False


def test_invite_to_cohort_only_by_the_lead(hearth, alice, bob, dora):
    make_moderator(hearth, bob, dora)

    with pytest.raises(NotAllowed) as refusal:
        actions.invite_to_cohort(hearth, by=dora, member=alice)

    assert refusal.value.code == "not_lead"
    assert not CohortInvitation.objects.filter(member=alice).exists()


def test_invite_to_cohort_needs_an_active_member(hearth, bob, charlie):
    with pytest.raises(ValidationFailed) as refusal:
        actions.invite_to_cohort(hearth, by=bob, member=charlie)

    assert refusal.value.code == "not_a_member"
    assert "not a member of Hearth" in refusal.value.message


def test_invite_to_cohort_keeps_one_open_invitation(hearth, alice, bob):
    actions.invite_to_cohort(hearth, by=bob, member=alice)

    with pytest.raises(ValidationFailed) as refusal:
        actions.invite_to_cohort(hearth, by=bob, member=alice)

    assert refusal.value.code == "already_invited"
    assert CohortInvitation.objects.count() == 1


def test_invite_to_cohort_refuses_the_lead_role(hearth, alice, bob):
    with pytest.raises(ValidationFailed) as refusal:
        actions.invite_to_cohort(hearth, by=bob, member=alice, role="lead")

    assert refusal.value.code == "invalid_role"


def test_answer_cohort_invitation_without_one_is_not_found(hearth, alice):
    with pytest.raises(NotFound) as refusal:
        actions.answer_cohort_invitation(hearth, member=alice, accept=True)

    assert refusal.value.code == "no_invitation"
    assert role_of(hearth, alice) == "member"


def test_withdraw_cohort_invitation_closes_it(hearth, alice, bob):
    actions.invite_to_cohort(hearth, by=bob, member=alice)

    actions.withdraw_cohort_invitation(hearth, by=bob, member=alice)

    with pytest.raises(NotFound):
        actions.answer_cohort_invitation(hearth, member=alice, accept=True)
    assert role_of(hearth, alice) == "member"


# Handover, stepping down, removal -------------------------------------------------------


def test_hand_over_lead_keeps_exactly_one_lead(hearth, alice, bob):
    make_moderator(hearth, bob, alice)

    actions.hand_over_lead(hearth, by=bob, to=alice)

    assert leads_of(hearth) == ["alice"]
    assert role_of(hearth, bob) == "moderator"
    event = hearth.cohort_events.first()
    assert (event.kind, event.member, event.by) == ("handed_over", alice, bob)


def test_hand_over_lead_only_to_a_moderator(hearth, alice, bob):
    with pytest.raises(ValidationFailed) as refusal:
        actions.hand_over_lead(hearth, by=bob, to=alice)

    assert refusal.value.code == "not_a_moderator"
    assert leads_of(hearth) == ["bob"]


def test_hand_over_lead_only_by_the_lead(hearth, alice, bob, dora):
    make_moderator(hearth, bob, alice)
    make_moderator(hearth, bob, dora)

    with pytest.raises(NotAllowed):
        actions.hand_over_lead(hearth, by=alice, to=dora)

    assert leads_of(hearth) == ["bob"]


def test_step_down_makes_a_moderator_a_member(hearth, alice, bob):
    make_moderator(hearth, bob, alice)

    actions.step_down(hearth, member=alice)

    assert role_of(hearth, alice) == "member"


def test_step_down_refuses_the_lead(hearth, bob):
    with pytest.raises(DomainError) as refusal:
        actions.step_down(hearth, member=bob)

    assert refusal.value.code == "sole_lead"
    assert leads_of(hearth) == ["bob"]


def test_remove_from_cohort_by_the_lead(hearth, alice, bob, dora):
    make_moderator(hearth, bob, alice)
    make_moderator(hearth, bob, dora)

    with pytest.raises(NotAllowed):
        actions.remove_from_cohort(hearth, by=dora, member=alice)
    actions.remove_from_cohort(hearth, by=bob, member=alice)

    assert role_of(hearth, alice) == "member"
    assert role_of(hearth, dora) == "moderator"


# A community never ends up without a lead ------------------------------------------------


def test_leave_community_refuses_the_last_lead_without_moderators(hearth, bob):
    with pytest.raises(DomainError) as refusal:
        actions.leave_community(hearth, member=bob)

    assert refusal.value.code == "sole_lead"
    assert "invite a moderator" in refusal.value.message
    assert leads_of(hearth) == ["bob"]


def test_leave_community_passes_the_lead_to_the_longest_serving_moderator(
    hearth, alice, bob, dora
):
    make_moderator(hearth, bob, alice)
    make_moderator(hearth, bob, dora)
    # dora's place is newer, but she took the role three days before alice.
    Membership.objects.filter(community=hearth, member=dora).update(
        role_since=Membership.objects.get(community=hearth, member=alice).role_since
        - timedelta(days=3)
    )

    actions.leave_community(hearth, member=bob)

    assert leads_of(hearth) == ["dora"]
    assert role_of(hearth, alice) == "moderator"
    assert not Membership.objects.filter(community=hearth, member=bob).exists()
    assert hearth.cohort_events.first().kind == CohortEvent.Kind.SUCCEEDED


def test_pass_on_leads_of_suspended_names_a_successor(hearth, alice, bob):
    make_moderator(hearth, bob, alice)
    bob.is_active = False
    bob.save(update_fields=["is_active"])

    actions.pass_on_leads_of_suspended(bob)

    assert leads_of(hearth) == ["alice"]
    assert role_of(hearth, bob) == "moderator"


def test_pass_on_leads_of_suspended_skips_suspended_moderators(hearth, alice, bob):
    make_moderator(hearth, bob, alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    actions.pass_on_leads_of_suspended(bob)

    assert leads_of(hearth) == ["bob"]


# Settings ---------------------------------------------------------------------------------


def test_update_cohort_settings_by_the_lead_only(hearth, alice, bob):
    make_moderator(hearth, bob, alice)

    with pytest.raises(NotAllowed):
        actions.update_cohort_settings(hearth, by=alice, round_robin=True)
    actions.update_cohort_settings(hearth, by=bob, log_shows_handles=True)

    hearth.refresh_from_db()
    assert (hearth.log_shows_handles, hearth.round_robin) == (True, False)


# The API ----------------------------------------------------------------------------------


def test_api_invite_then_accept(api_client, hearth, alice, bob):
    response = api_client.as_member(bob).post(
        "communities/hearth/cohort/invitations",
        json={"handle": "@alice", "role": "moderator"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["handle"], body["role"], body["state"]) == (
        "alice",
        "moderator",
        "open",
    )
    assert body["invited_by"] == "bob"
    cohort = api_client.as_member(alice).get("communities/hearth/cohort").json()
    assert cohort["your_invitation"]["state"] == "open"

    response = api_client.as_member(alice).post("communities/hearth/cohort/accept")

    assert response.status_code == 200, response.content
    assert response.json()["role"] == "moderator"
    detail = api_client.get("communities/hearth").json()
    assert {"handle": "alice", "role": "moderator"} in detail["cohort"]


def test_api_invite_refuses_a_moderator_with_not_lead(
    api_client, hearth, alice, bob, dora
):
    make_moderator(hearth, bob, dora)

    response = api_client.as_member(dora).post(
        "communities/hearth/cohort/invitations", json={"handle": "alice"}
    )

    assert_error(response, 403, "not_lead")


def test_api_invite_refuses_a_stranger(api_client, hearth, charlie, bob):
    response = api_client.as_member(bob).post(
        "communities/hearth/cohort/invitations", json={"handle": "charlie"}
    )

    body = assert_error(response, 400, "not_a_member")
    assert "handle" in body["errors"]


def test_api_invite_refuses_an_unknown_handle(api_client, hearth, bob):
    response = api_client.as_member(bob).post(
        "communities/hearth/cohort/invitations", json={"handle": "nobody_here"}
    )

    assert_error(response, 400, "unknown_member")


def test_api_cohort_of_a_hidden_community_is_not_found(api_client, bob, alice, charlie):
    hidden = CommunityFactory(
        slug="den", created_by=bob, is_listed=False, visibility="invite"
    )
    MembershipFactory(community=hidden, member=alice)

    for path, payload in [
        ("communities/den/cohort/invitations", {"handle": "alice"}),
        ("communities/den/cohort/accept", {}),
    ]:
        assert_error(
            api_client.as_member(charlie).post(path, json=payload), 404, "not_found"
        )
    assert_error(
        api_client.as_member(charlie).get("communities/den/cohort"), 404, "not_found"
    )
    assert api_client.as_member(alice).get("communities/den/cohort").status_code == 200


def test_api_accept_without_an_invitation(api_client, hearth, alice):
    response = api_client.as_member(alice).post("communities/hearth/cohort/accept")

    assert_error(response, 404, "no_invitation")


def test_api_decline(api_client, hearth, alice, bob):
    actions.invite_to_cohort(hearth, by=bob, member=alice)

    response = api_client.as_member(alice).post("communities/hearth/cohort/decline")

    assert response.status_code == 200, response.content
    assert role_of(hearth, alice) == "member"


def test_api_withdraw_invitation(api_client, hearth, alice, bob):
    actions.invite_to_cohort(hearth, by=bob, member=alice)

    refused = api_client.as_member(alice).delete(
        "communities/hearth/cohort/invitations/alice"
    )
    response = api_client.as_member(bob).delete(
        "communities/hearth/cohort/invitations/alice"
    )

    assert_error(refused, 403, "not_lead")
    assert response.status_code == 204
    assert not CohortInvitation.objects.open().exists()


def test_api_handover_step_down_and_remove(api_client, hearth, alice, bob, dora):
    make_moderator(hearth, bob, alice)
    make_moderator(hearth, bob, dora)

    response = api_client.as_member(bob).post(
        "communities/hearth/cohort/handover", json={"handle": "alice"}
    )
    assert response.status_code == 200, response.content
    roles = {place["handle"]: place["role"] for place in response.json()["members"]}
    assert roles == {"alice": "lead", "bob": "moderator", "dora": "moderator"}

    response = api_client.as_member(bob).post("communities/hearth/cohort/step-down")
    assert response.status_code == 200, response.content
    assert role_of(hearth, bob) == "member"

    refused = api_client.as_member(alice).post("communities/hearth/cohort/step-down")
    assert_error(refused, 400, "sole_lead")

    response = api_client.as_member(alice).delete(
        "communities/hearth/cohort/members/dora"
    )
    assert response.status_code == 204
    assert leads_of(hearth) == ["alice"]
    assert list(
        hearth.memberships.cohort().values_list("member__handle", flat=True)
    ) == ["alice"]


def test_api_cohort_shows_private_parts_to_the_cohort_only(
    api_client, hearth, alice, bob, dora
):
    make_moderator(hearth, bob, dora)
    actions.invite_to_cohort(hearth, by=bob, member=alice)

    public = api_client.get("communities/hearth/cohort").json()
    member_view = api_client.as_member(alice).get("communities/hearth/cohort").json()
    cohort_view = api_client.as_member(dora).get("communities/hearth/cohort").json()

    assert [place["handle"] for place in public["members"]] == ["bob", "dora"]
    assert all(place["since"] for place in public["members"])
    assert (public["invitations"], public["history"], public["settings"]) == (
        [],
        [],
        None,
    )
    assert member_view["invitations"] == []
    assert [item["handle"] for item in cohort_view["invitations"]] == ["alice"]
    assert cohort_view["settings"] == {"log_shows_handles": False, "round_robin": False}
    assert cohort_view["history"][0]["kind"] == "joined"


def test_api_cohort_settings(api_client, hearth, alice, bob, dora):
    make_moderator(hearth, bob, dora)

    refused = api_client.as_member(dora).patch(
        "communities/hearth/cohort/settings", json={"round_robin": True}
    )
    response = api_client.as_member(bob).patch(
        "communities/hearth/cohort/settings", json={"round_robin": True}
    )
    invalid = api_client.as_member(bob).patch(
        "communities/hearth/cohort/settings", json={"round_robin": "often"}
    )

    assert_error(refused, 403, "not_lead")
    assert response.json() == {"log_shows_handles": False, "round_robin": True}
    assert_error(invalid, 400, "invalid")
    assert Community.objects.get(slug="hearth").round_robin is True


def test_api_leave_passes_the_lead(api_client, hearth, alice, bob):
    make_moderator(hearth, bob, alice)

    response = api_client.as_member(bob).post("communities/hearth/leave")

    assert response.status_code == 200, response.content
    assert leads_of(hearth) == ["alice"]


def test_openapi_documents_the_cohort_routes(api_client, db):
    paths = api_client.get("openapi.json").json()["paths"]

    for path in [
        "/api/v1/communities/{slug}/cohort",
        "/api/v1/communities/{slug}/cohort/invitations",
        "/api/v1/communities/{slug}/cohort/accept",
        "/api/v1/communities/{slug}/cohort/handover",
        "/api/v1/communities/{slug}/cohort/settings",
    ]:
        assert path in paths


# Pages ------------------------------------------------------------------------------------


def test_cohort_page_shows_who_moderates_to_anyone(client, hearth, bob):
    response = client.get("/c/hearth/cohort/")

    assert response.status_code == 200
    page = text_of(response)
    assert "@bob" in page
    assert "lead since" in page
    assert "Invite to moderate" not in page


def test_cohort_page_of_a_hidden_community_is_not_found(client, bob, charlie):
    CommunityFactory(slug="den", created_by=bob, is_listed=False, visibility="invite")
    client.force_login(charlie)

    assert client.get("/c/den/cohort/").status_code == 404


def test_cohort_page_invite_and_accept(client, hearth, alice, bob):
    client.force_login(bob)
    page = text_of(client.get("/c/hearth/cohort/"))
    assert "Invite to moderate" in page

    response = client.post("/c/hearth/cohort/invite/", {"handle": "alice"})
    assert response.status_code == 302

    client.force_login(alice)
    assert "You are invited to moderate" in text_of(client.get("/c/hearth/"))
    assert "You are invited to moderate" in text_of(client.get("/c/hearth/cohort/"))
    response = client.post("/c/hearth/cohort/answer/", {"decision": "accept"})

    assert response.status_code == 302
    assert role_of(hearth, alice) == "moderator"
    assert "Step down" in text_of(client.get("/c/hearth/cohort/"))


def test_cohort_page_invite_shows_the_reason_next_to_the_field(
    client, hearth, bob, charlie
):
    client.force_login(bob)

    response = client.post("/c/hearth/cohort/invite/", {"handle": "charlie"})

    assert response.status_code == 400
    assert "not a member of Hearth" in text_of(response)


def test_cohort_page_invite_refuses_a_moderator(client, hearth, alice, bob, dora):
    make_moderator(hearth, bob, dora)
    client.force_login(dora)

    response = client.post("/c/hearth/cohort/invite/", {"handle": "alice"})

    assert response.status_code == 403
    assert not CohortInvitation.objects.filter(member=alice).exists()


def test_cohort_page_handover_remove_and_settings(client, hearth, alice, bob, dora):
    make_moderator(hearth, bob, alice)
    make_moderator(hearth, bob, dora)
    client.force_login(bob)

    assert client.post("/c/hearth/cohort/remove/dora/").status_code == 302
    assert (
        client.post(
            "/c/hearth/cohort/settings/", {"log_shows_handles": "on"}
        ).status_code
        == 302
    )
    assert (
        client.post("/c/hearth/cohort/handover/", {"handle": "alice"}).status_code
        == 302
    )

    assert role_of(hearth, dora) == "member"
    assert leads_of(hearth) == ["alice"]
    assert Community.objects.get(slug="hearth").log_shows_handles is True
    page = text_of(client.get("/c/hearth/cohort/"))
    assert "became lead by handover (from @bob)" in page


def test_cohort_page_step_down_and_decline(client, hearth, alice, bob, dora):
    make_moderator(hearth, bob, dora)
    actions.invite_to_cohort(hearth, by=bob, member=alice)

    client.force_login(dora)
    assert client.post("/c/hearth/cohort/step-down/").status_code == 302
    client.force_login(alice)
    assert (
        client.post("/c/hearth/cohort/answer/", {"decision": "decline"}).status_code
        == 302
    )

    assert role_of(hearth, dora) == "member"
    assert role_of(hearth, alice) == "member"


def test_cohort_page_post_needs_a_login(client, hearth):
    response = client.post("/c/hearth/cohort/invite/", {"handle": "alice"})

    assert response.status_code == 302
    assert "/login" in response["Location"]

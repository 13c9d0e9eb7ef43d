from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.trust import actions
from fireside.trust.models import TrustChange
from fireside.trust.standing import standing_in
from fireside.trust.tests.factories import accepted_requests, aged_member
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def test_trust_page_shows_level_signals_and_next_needs(client):
    member = aged_member(days=3, active_days=2)
    actions.recompute_member(member)
    client.force_login(member)

    page = client.get("/settings/trust/").content.decode()

    assert "level 1, member" in page
    assert "Level 2, regular, needs:" in page
    assert "Not yet:" in page
    assert "Raised from level 0 to 1" in page
    assert "conversations you asked for" in page


def test_trust_page_requires_login(client):
    response = client.get("/settings/trust/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_settings_links_to_the_trust_page(client, alice):
    client.force_login(alice)
    assert 'href="/settings/trust/"' in client.get("/settings/").content.decode()


def test_my_trust_api(api_client):
    member = aged_member(days=20, active_days=10)
    accepted_requests(member, 2, people=2)
    actions.recompute_member(member)

    body = api_client.as_member(member).get("me/trust").json()

    assert body["level"] == 1
    assert body["name"] == "member"
    assert body["signals"]["accepted_conversations"] == 2
    assert body["signals"]["accepted_from_distinct"] == 2
    assert body["signals"]["days_active"] >= 10
    assert body["next"]["level"] == 2
    needs = {need["code"]: need["met"] for need in body["next"]["needs"]}
    assert needs["account_age"] is True
    assert needs["accepted_conversations"] is False
    assert body["changes"][0]["to_level"] == 1


def test_my_trust_api_refuses_anonymous(api_client):
    assert_error(api_client.get("me/trust"), 401, "not_authenticated")


def test_my_trust_api_has_no_next_at_level_four(api_client):
    member = MemberFactory(trust_level=4)
    assert api_client.as_member(member).get("me/trust").json()["next"] is None


def test_set_trust_command_sets_and_records(capsys):
    member = MemberFactory(handle="ada")
    call_command("set_trust", "@ada", "4", "--reason", "First lead of the instance")
    member.refresh_from_db()
    assert member.trust_level == 4
    change = TrustChange.objects.get(member=member)
    assert change.by is None
    assert change.is_manual
    assert change.reason == "Administrator action: First lead of the instance"
    assert "now at level 4 (leader)" in capsys.readouterr().out


def test_set_trust_command_explains_bad_input():
    MemberFactory(handle="ada")
    with pytest.raises(CommandError, match="no member @nobody"):
        call_command("set_trust", "nobody", "2")
    with pytest.raises(CommandError, match="not a trust level"):
        call_command("set_trust", "ada", "5")
    with pytest.raises(CommandError, match="not a trust level"):
        call_command("set_trust", "ada", "two")


def test_standing_regular_needs_presence_and_conversations():
    community = CommunityFactory()
    member = aged_member(days=30, active_days=14)
    MembershipFactory(
        community=community,
        member=member,
        joined_at=timezone.now() - timedelta(days=30),
    )
    others = accepted_requests(member, 3, people=3)
    for other in others:
        MembershipFactory(community=community, member=other)

    standing = standing_in(member, community)

    assert standing.days_present == 14
    assert standing.accepted_conversations == 3
    assert standing.is_regular
    assert standing.may_request_regulars_only
    assert standing.may_report


def test_standing_outsider_and_newcomer():
    community = CommunityFactory()
    outsider = MemberFactory()
    assert not standing_in(outsider, community).may_report

    newcomer = MemberFactory(trust_level=0)
    MembershipFactory(community=community, member=newcomer)
    standing = standing_in(newcomer, community)
    assert standing.may_report
    assert not standing.is_regular
    assert not standing.may_post_links


def test_standing_thirteen_days_present_is_not_yet_regular():
    community = CommunityFactory()
    member = aged_member(days=30, active_days=13)
    MembershipFactory(
        community=community,
        member=member,
        joined_at=timezone.now() - timedelta(days=30),
    )
    for other in accepted_requests(member, 3, people=3):
        MembershipFactory(community=community, member=other)
    assert not standing_in(member, community).is_regular


def test_using_the_api_or_pages_records_a_day_active(client, api_client):
    from fireside.trust.models import ActiveDay

    through_api = MemberFactory()
    api_client.as_member(through_api).get("me")
    assert ActiveDay.objects.filter(member=through_api).count() == 1

    through_pages = MemberFactory()
    client.force_login(through_pages)
    client.get("/settings/")
    assert ActiveDay.objects.filter(member=through_pages).count() == 1

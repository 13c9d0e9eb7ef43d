import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.conversations.models import Conversation
from fireside.trust import actions, queries
from fireside.trust.models import TrustChange
from fireside.trust.tests.factories import accepted_requests, aged_member

pytestmark = pytest.mark.django_db


def _recomputed(member):
    actions.recompute_member(member)
    member.refresh_from_db()
    return member.trust_level


def test_level_one_needs_a_verified_email_and_a_day():
    assert _recomputed(aged_member(days=0)) == 0
    assert _recomputed(aged_member(days=1)) == 1
    assert _recomputed(aged_member(days=5, email_verified_at=None)) == 0


def test_level_two_boundaries():
    ready = aged_member(days=14, active_days=7)
    accepted_requests(ready, 5, people=3)
    assert _recomputed(ready) == 2

    too_young = aged_member(days=13, active_days=7)
    accepted_requests(too_young, 5, people=3)
    assert _recomputed(too_young) == 1

    too_few_people = aged_member(days=14, active_days=7)
    accepted_requests(too_few_people, 5, people=2)
    assert _recomputed(too_few_people) == 1

    too_few_conversations = aged_member(days=14, active_days=7)
    accepted_requests(too_few_conversations, 4, people=3)
    assert _recomputed(too_few_conversations) == 1

    seldom_here = aged_member(days=14, active_days=6)
    accepted_requests(seldom_here, 5, people=3)
    assert _recomputed(seldom_here) == 1


def test_level_three_boundaries():
    ready = aged_member(days=60, active_days=30)
    accepted_requests(ready, 20, people=10)
    assert _recomputed(ready) == 3

    nine_people = aged_member(days=60, active_days=30)
    accepted_requests(nine_people, 20, people=9)
    assert _recomputed(nine_people) == 2


def test_declined_requests_do_not_count():
    member = aged_member(days=20, active_days=10)
    accepted_requests(member, 5, people=5)
    Conversation.objects.filter(initiator=member).update(
        state=Conversation.State.DECLINED
    )
    assert _recomputed(member) == 1


def test_level_goes_down_when_an_action_is_upheld(monkeypatch):
    member = aged_member(days=20, active_days=10)
    accepted_requests(member, 5, people=3)
    assert _recomputed(member) == 2

    monkeypatch.setattr(queries, "upheld_actions_against", lambda *a, **k: 1)
    assert _recomputed(member) == 1
    change = TrustChange.objects.filter(member=member).first()
    assert (change.from_level, change.to_level) == (2, 1)
    assert change.by is None


def test_level_four_is_kept_by_recomputation(monkeypatch):
    member = aged_member(days=2)
    actions.set_trust_level(member, 4, reason="Chosen to lead")
    assert _recomputed(member) == 4

    monkeypatch.setattr(queries, "upheld_actions_against", lambda *a, **k: 1)
    assert _recomputed(member) == 1


def test_recomputation_never_grants_level_four():
    member = aged_member(days=400, active_days=300)
    accepted_requests(member, 60, people=40)
    assert _recomputed(member) == 3


def test_operator_lowering_stands_against_recomputation():
    member = aged_member(days=20, active_days=10)
    accepted_requests(member, 5, people=3)
    assert _recomputed(member) == 2
    actions.set_trust_level(member, 0, reason="Spam run")
    assert _recomputed(member) == 0


def test_only_raise_recomputation_never_lowers():
    member = MemberFactory(trust_level=3)
    assert actions.recompute_member(member, only_raise=True) is None
    member.refresh_from_db()
    assert member.trust_level == 3


def test_recompute_on_commit_raises_after_the_transaction(
    django_capture_on_commit_callbacks,
):
    member = aged_member(days=20, active_days=10)
    accepted_requests(member, 5, people=3)
    with django_capture_on_commit_callbacks(execute=True):
        actions.recompute_member_on_commit(member)
    member.refresh_from_db()
    assert member.trust_level == 2


def test_recompute_all_records_each_change_once():
    one = aged_member(days=3)
    two = aged_member(days=3)
    assert actions.recompute_all(batch_size=1) >= 2
    assert actions.recompute_all(batch_size=1) == 0
    assert TrustChange.objects.filter(member__in=[one, two]).count() == 2


def test_record_activity_writes_one_row_a_day(django_assert_num_queries):
    from fireside.trust.models import ActiveDay

    member = MemberFactory()
    actions.record_activity(member)
    with django_assert_num_queries(0):
        actions.record_activity(member)
    assert ActiveDay.objects.filter(member=member).count() == 1

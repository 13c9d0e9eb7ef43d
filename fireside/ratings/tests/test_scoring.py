"""The scoring task: it fits a community's ratings, ranks Highlights and tells authors."""

import pytest
from django.tasks import default_task_backend

from fireside.communities.tests.factories import CommunityFactory
from fireside.ratings import actions, tasks
from fireside.ratings.models import HelpfulNotice, ItemScore
from fireside.ratings.tests.factories import TwoCamps

pytestmark = pytest.mark.django_db


@pytest.fixture
def camps(alice):
    camps = TwoCamps(CommunityFactory(), bridging_author=alice)
    camps.rate_all()
    return camps


def _status(post):
    return ItemScore.objects.get(post=post).status


def test_score_community_finds_the_bridging_post_helpful(camps):
    outcome = actions.score_community(camps.community)

    assert _status(camps.bridging) == ItemScore.Status.HELPFUL
    assert outcome.newly_helpful == [f"post:{camps.bridging.pk}"]
    for post in camps.a_posts + camps.b_posts:
        assert _status(post) != ItemScore.Status.HELPFUL
    for post in camps.junk:
        assert _status(post) == ItemScore.Status.NOT_HELPFUL


def test_score_community_is_deterministic_and_safe_to_repeat(camps):
    actions.score_community(camps.community)
    first = list(
        ItemScore.objects.order_by("post_id").values_list(
            "post_id", "intercept", "factor", "status"
        )
    )
    again = actions.score_community(camps.community)

    assert again.newly_helpful == []
    assert (
        list(
            ItemScore.objects.order_by("post_id").values_list(
                "post_id", "intercept", "factor", "status"
            )
        )
        == first
    )


def test_score_community_tells_the_author_once(camps, alice):
    actions.score_community(camps.community)
    actions.score_community(camps.community)

    notice = HelpfulNotice.objects.get(member=alice)
    assert notice.post == camps.bridging
    assert HelpfulNotice.objects.count() == 1


def test_score_community_removes_scores_of_withdrawn_ratings(camps):
    actions.score_community(camps.community)
    for member in camps.raters:
        actions.withdraw_rating(camps.bridging, by=member)

    actions.score_community(camps.community)

    assert not ItemScore.objects.filter(post=camps.bridging).exists()


def test_nightly_pass_scores_every_rated_community(camps):
    # The test settings run tasks at once (ImmediateBackend).
    assert tasks.score_all_communities.call() == 1

    assert _status(camps.bridging) == ItemScore.Status.HELPFUL


def test_rating_changes_queue_one_deferred_run_per_community(
    settings, alice, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}
    }
    community = CommunityFactory()
    camps = TwoCamps(community, sizes=(2, 2))
    default_task_backend.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for member in camps.raters:
            actions.rate(camps.bridging, by=member, value="helpful")

    (result,) = default_task_backend.results
    assert result.task.name == "score_community"
    assert result.args == [community.pk]
    assert result.task.run_after is not None

    # The run clears the mark when it starts, so the next change queues the next run.
    actions.score_community(community)
    with django_capture_on_commit_callbacks(execute=True):
        actions.rate(camps.mixed, by=camps.camp_a[0], value="somewhat")
    assert len(default_task_backend.results) == 2

from django.tasks import task

from fireside.communities.models import Community
from fireside.ratings import actions
from fireside.ratings.models import ItemScore, Rating


@task()
def score_community(community_id: int) -> int:
    """Score one community's rated posts and dialogues; safe to run any number of times.
    Queued (debounced) by rating changes."""
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return 0
    return actions.score_community(community).scored


@task()
def score_all_communities() -> int:
    """Queue a scoring run for every community with ratings or scores (nightly full
    pass; a community whose last rating was withdrawn loses its stale scores)."""
    rated = Rating.objects.order_by().values_list("community_id", flat=True)
    scored = ItemScore.objects.order_by().values_list("community_id", flat=True)
    community_ids = sorted(set(rated.distinct()) | set(scored.distinct()))
    for community_id in community_ids:
        score_community.enqueue(community_id)
    return len(community_ids)

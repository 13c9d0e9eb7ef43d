"""Reads of ratings and scores: a member's own rating, a community's Highlights, and the
ratings table the scorer and the operator's export share."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.crypto import salted_hmac

from fireside.communities.models import Community
from fireside.dialogues.models import Dialogue
from fireside.posts.models import Post
from fireside.ratings.bridging import MIN_ITEM_RATINGS
from fireside.ratings.models import (
    VALUE_SCORES,
    ItemScore,
    Rating,
    RatingValue,
    item_id_of,
)
from fireside.safety.queries import hidden_authors, hidden_dialogues

#: Highlights shown on one page (and one API page).
HIGHLIGHTS_PAGE_SIZE = 30


def own_rating(member: Any, target: Post | Dialogue) -> Rating | None:
    """MEMBER's rating of TARGET, if any."""
    ratings = Rating.objects.by(member)
    if isinstance(target, Post):
        return ratings.filter(post=target).first()
    return ratings.filter(dialogue=target).first()


def pseudonym(community: Community, rater_id: int) -> str:
    """A rater's name in a community's exported ratings: a keyed hash (the instance's
    SECRET_KEY) of the community and the member, so a table says who rated alike without
    saying who anyone is, and the same person cannot be followed across communities."""
    digest = salted_hmac(
        "fireside.ratings.export", f"{community.pk}:{rater_id}", algorithm="sha256"
    ).hexdigest()
    return f"r{digest[:20]}"


def seed_for(community: Community) -> int:
    """The scorer's seed for COMMUNITY: its number, so that a community's results are
    reproducible and stay the same from one run to the next."""
    return int(community.pk)


def ratings_table(community: Community) -> list[tuple[str, str, float]]:
    """Every rating in COMMUNITY as (item_id, rater pseudonym, value), ordered by item and
    rater: what the scorer fits and what `export_ratings` writes, row for row."""
    rows = [
        (item_id_of(post_id, dialogue_id), pseudonym(community, rater_id), value)
        for post_id, dialogue_id, rater_id, value in Rating.objects.of_community(
            community
        ).values_list("post_id", "dialogue_id", "rater_id", "value")
    ]
    table = [
        (item, rater, VALUE_SCORES[RatingValue(value)]) for item, rater, value in rows
    ]
    table.sort()
    return table


@dataclass(frozen=True)
class Highlight:
    """One post or dialogue on a community's Highlights, in rank order."""

    score: ItemScore
    post: Post | None
    dialogue: Dialogue | None

    @property
    def is_helpful(self) -> bool:
        return self.score.is_helpful

    @property
    def status(self) -> str:
        return str(self.score.status)

    @property
    def kind(self) -> str:
        return "post" if self.post is not None else "dialogue"


@dataclass(frozen=True)
class HighlightsPage:
    items: Sequence[Highlight]
    next_offset: int | None


def highlights(community: Community, viewer: Any, *, offset: int = 0) -> HighlightsPage:
    """Return one page of COMMUNITY's Highlights as VIEWER may read them.

    Order: items found helpful across perspectives first, by intercept; then the other
    items the scorer fitted with enough ratings (status `needs_more_ratings` but
    estimated), by intercept. Items judged not helpful, and items with too few ratings to
    be fitted, are not shown: Highlights is what rises, and the community's page lists
    everything newest first. Posts that are deleted or hidden by the cohort, and dialogues
    that are not published (withdrawn, say), never appear, for anyone."""
    # What the viewer muted or blocked stays out of their Highlights, as out of their lists.
    readable_posts = (
        Post.objects.visible_to(viewer)
        .not_hidden()
        .filter(community=community)
        .exclude(hidden_authors(viewer))
    )
    readable_dialogues = (
        Dialogue.objects.visible_to(viewer)
        .filter(community=community)
        .exclude(hidden_dialogues(viewer))
    )
    scores = (
        ItemScore.objects.filter(community=community, intercept__isnull=False)
        .filter(n_ratings__gte=MIN_ITEM_RATINGS)
        .exclude(status=ItemScore.Status.NOT_HELPFUL)
        .filter(
            Q(post__in=readable_posts.values("pk"))
            | Q(dialogue__in=readable_dialogues.values("pk"))
        )
        .select_related(
            "post__author",
            "post__community",
            "dialogue__community",
            "dialogue__conversation__initiator",
            "dialogue__conversation__recipient",
            "dialogue__post",
        )
        .alias(
            helpful_first=Case(
                When(status=ItemScore.Status.HELPFUL, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("helpful_first", "-intercept", "pk")
    )
    window = list(scores[offset : offset + HIGHLIGHTS_PAGE_SIZE + 1])
    more = len(window) > HIGHLIGHTS_PAGE_SIZE
    items = [
        Highlight(score=score, post=score.post, dialogue=score.dialogue)
        for score in window[:HIGHLIGHTS_PAGE_SIZE]
    ]
    return HighlightsPage(
        items=items, next_offset=offset + HIGHLIGHTS_PAGE_SIZE if more else None
    )

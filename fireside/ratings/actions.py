"""Every change to ratings, scores and helpful notices."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from fireside.communities.models import Community
from fireside.core.exceptions import ValidationFailed
from fireside.dialogues.models import Dialogue
from fireside.posts.models import Post
from fireside.ratings import permissions, queries
from fireside.ratings.bridging import score_table
from fireside.ratings.models import (
    NEGATIVE_TAGS,
    POSITIVE_TAGS,
    TAGS,
    HelpfulNotice,
    ItemScore,
    Rating,
    RatingValue,
)

#: At most one scoring run waits per community; it starts this many seconds after the
#: first rating change that asked for it, and takes in every change made meanwhile.
SCORING_DELAY_SECONDS = 60
#: How long a pending run keeps others from being queued if the worker never starts it.
SCORING_PENDING_TIMEOUT = 10 * 60

Target = Post | Dialogue


def _clean_tags(value: str, tags: Any) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise ValidationFailed({"tags": ["Enter a list of reason tags."]})
    cleaned = list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))
    unknown = [tag for tag in cleaned if tag not in TAGS]
    if unknown:
        allowed = ", ".join(TAGS)
        raise ValidationFailed(
            {"tags": [f"Unknown reason tag “{unknown[0]}”. Choose from: {allowed}."]}
        )
    if value == RatingValue.HELPFUL and any(tag in NEGATIVE_TAGS for tag in cleaned):
        raise ValidationFailed(
            {
                "tags": [
                    "Off-topic, hostile and misleading go with “not helpful” or "
                    "“somewhat helpful”, not with “helpful”."
                ]
            }
        )
    if value == RatingValue.NOT_HELPFUL and any(
        tag in POSITIVE_TAGS for tag in cleaned
    ):
        raise ValidationFailed(
            {
                "tags": [
                    "Clear, sourced and changed my mind go with “helpful” or "
                    "“somewhat helpful”, not with “not helpful”."
                ]
            }
        )
    return cleaned


def _target_filter(target: Target) -> dict[str, Any]:
    return {"post": target} if isinstance(target, Post) else {"dialogue": target}


def rate(target: Target, *, by: Any, value: str, tags: Any = None) -> Rating:
    """Record BY's rating of TARGET (a post or dialogue fetched through `visible_to`), or
    change it: a member has at most one rating per item.

    VALUE is helpful, somewhat or not_helpful; TAGS an optional list of reason tags
    (models.TAGS; positive ones not with not_helpful, negative ones not with helpful).
    Raises ValidationFailed for bad input and NotAllowed (permissions.check_rate).
    Asks for the community to be scored again after commit (debounced)."""
    if value not in RatingValue.values:
        raise ValidationFailed(
            {"value": ["Choose helpful, somewhat or not_helpful."]}, code="invalid"
        )
    cleaned = _clean_tags(value, tags)
    permissions.check_rate(by, target)
    now = timezone.now()
    fields = {"value": value, "tags": cleaned, "updated_at": now}
    try:
        with transaction.atomic():
            rating, _ = Rating.objects.update_or_create(
                rater=by,
                **_target_filter(target),
                defaults=fields,
                create_defaults={
                    **fields,
                    "community_id": target.community_id,
                    "created_at": now,
                },
            )
    except IntegrityError:
        # Two requests of the same member raced to create; the other one won.
        rating = Rating.objects.get(rater=by, **_target_filter(target))
        Rating.objects.filter(pk=rating.pk).update(**fields)
        rating.refresh_from_db()
    request_scoring(target.community_id)
    return rating


def withdraw_rating(target: Target, *, by: Any) -> bool:
    """Remove BY's rating of TARGET, if there is one; return whether there was. Anyone may
    withdraw their own rating at any time, whatever their standing now."""
    deleted, _ = Rating.objects.by(by).filter(**_target_filter(target)).delete()
    if deleted:
        request_scoring(target.community_id)
    return bool(deleted)


def request_scoring(community_id: int) -> None:
    """Queue `tasks.score_community` for COMMUNITY_ID after commit, unless a run is already
    waiting (a cache key marks it). The run clears the mark when it starts, so a change
    during a run queues the next one."""
    from fireside.ratings.tasks import score_community

    key = _pending_key(community_id)
    if not cache.add(key, 1, timeout=SCORING_PENDING_TIMEOUT):
        return

    def enqueue() -> None:
        task = score_community
        if task.get_backend().supports_defer:
            task = task.using(
                run_after=timezone.now() + timedelta(seconds=SCORING_DELAY_SECONDS)
            )
        task.enqueue(community_id)

    transaction.on_commit(enqueue)


def _pending_key(community_id: int) -> str:
    return f"ratings-scoring-pending:{community_id}"


@dataclass(frozen=True)
class Scoring:
    """What one scoring run did: how many items it scored and which became helpful."""

    scored: int
    newly_helpful: list[str]


def _split(item_id: str) -> tuple[int | None, int | None]:
    kind, _, number = item_id.partition(":")
    return (int(number), None) if kind == "post" else (None, int(number))


def score_community(community: Community) -> Scoring:
    """Fit the bridging model to COMMUNITY's ratings and replace its item scores. Items
    found helpful across perspectives for the first time get their authors told, in
    words (HelpfulNotice). Deterministic (queries.seed_for) and safe to run again."""
    cache.delete(_pending_key(community.pk))
    rows = queries.ratings_table(community)
    counts = Counter(item for item, _, _ in rows)
    results = score_table(rows, seed=queries.seed_for(community)) if rows else []
    now = timezone.now()
    with transaction.atomic():
        was_helpful = {
            score.item_id
            for score in ItemScore.objects.filter(
                community=community, status=ItemScore.Status.HELPFUL
            )
        }
        ItemScore.objects.filter(community=community).delete()
        scores = []
        for result in results:
            post_id, dialogue_id = _split(result.item_id)
            scores.append(
                ItemScore(
                    community=community,
                    post_id=post_id,
                    dialogue_id=dialogue_id,
                    intercept=result.intercept,
                    factor=result.factor,
                    n_ratings=counts[result.item_id],
                    status=str(result.status),
                    scored_at=now,
                )
            )
        ItemScore.objects.bulk_create(scores, batch_size=1000)
        newly_helpful = [
            score.item_id
            for score in scores
            if score.is_helpful and score.item_id not in was_helpful
        ]
        for item_id in newly_helpful:
            _tell_authors(community, item_id)
    return Scoring(scored=len(scores), newly_helpful=newly_helpful)


def _tell_authors(community: Community, item_id: str) -> None:
    post_id, dialogue_id = _split(item_id)
    recipients: list[Any]
    target: dict[str, Any] = (
        {"post_id": post_id} if post_id is not None else {"dialogue_id": dialogue_id}
    )
    if post_id is not None:
        post = Post.objects.live().not_hidden().filter(pk=post_id).first()
        recipients = [post.author] if post is not None and post.author else []
    else:
        dialogue = (
            Dialogue.objects.published()
            .select_related("conversation__initiator", "conversation__recipient")
            .filter(pk=target["dialogue_id"])
            .first()
        )
        recipients = dialogue.participants() if dialogue is not None else []
    for member in recipients:
        # Once per member and item, ever: the unique constraints settle repeats.
        HelpfulNotice.objects.get_or_create(
            member=member, **target, defaults={"community": community}
        )


def mark_helpful_notices_read(member: Any) -> int:
    """Mark MEMBER's unread helpful notices as read; return how many changed."""
    return (
        HelpfulNotice.objects.visible_to(member).unread().update(read_at=timezone.now())
    )

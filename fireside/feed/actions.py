from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from fireside.feed.models import FeedVisit

#: Looks at the feed closer together than this are one visit: the marker stays put.
VISIT_GAP = timedelta(minutes=30)


def mark_feed_seen(member: Any) -> datetime | None:
    """Record that MEMBER is looking at their feed; return the end of their previous visit
    (the "since your last visit" line), or None on a first visit."""
    now = timezone.now()
    visit = FeedVisit.objects.filter(member=member).first()
    if visit is None:
        FeedVisit.objects.create(member=member, seen_at=now)
        return None
    if now - visit.seen_at >= VISIT_GAP:
        visit.previous_seen_at = visit.seen_at
    visit.seen_at = now
    visit.save(update_fields=["previous_seen_at", "seen_at"])
    return visit.previous_seen_at

from django.conf import settings
from django.db import models


class FeedVisit(models.Model):
    """When a member last looked at their home feed, for the "since your last visit" line."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_visit"
    )
    seen_at = models.DateTimeField()
    previous_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.member} saw the feed at {self.seen_at:%Y-%m-%d %H:%M}"

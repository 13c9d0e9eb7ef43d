"""Periodic background work: what runs how often. `manage.py run_schedule` enqueues each
task when it is due (`make run` starts it beside `db_worker`); an operator who prefers cron
runs `manage.py run_schedule --once` from it instead. Every task is safe to run any number
of times, so two schedulers, a restart or a missed beat do no harm; reads never depend on
them (an expired request or a lapsed action already reads as such)."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Every:
    task: str  # dotted path of a django.tasks task
    interval: timedelta


SCHEDULE = [
    # Lapsed requests leave the trays and free the pair's one open place.
    Every("fireside.conversations.tasks.expire_old_requests", timedelta(minutes=10)),
    # Severe actions nobody confirmed within 72 hours.
    Every("fireside.moderation.tasks.expire_pending_actions", timedelta(minutes=10)),
    # Age-based thresholds are only reached when something recomputes them.
    Every("fireside.trust.tasks.recompute_trust_levels", timedelta(days=1)),
    # The "your turn" email digest, for members who switched it on (once a day each).
    Every("fireside.connections.tasks.send_turn_reminder_digests", timedelta(days=1)),
    # Monthly audit reminders: checked daily, each member reminded every 30 days.
    Every("fireside.connections.tasks.send_audit_reminders", timedelta(days=1)),
    # A full bridging pass; rating changes also queue their community (debounced).
    Every("fireside.ratings.tasks.score_all_communities", timedelta(days=1)),
    # Federation deliveries whose retry is due (backoff in federation/delivery.py).
    Every("fireside.federation.tasks.retry_deliveries", timedelta(minutes=1)),
    # Accounts past their 14-day grace period are deleted; expired export files go.
    Every("fireside.yourdata.tasks.tidy_your_data", timedelta(hours=1)),
]


def enqueue(entry: Every) -> None:
    import_string(entry.task).enqueue()

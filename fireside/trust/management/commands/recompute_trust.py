from typing import Any

from django.core.management.base import BaseCommand

from fireside.trust.actions import recompute_all


class Command(BaseCommand):
    help = "Recompute every member's trust level (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = recompute_all()
        self.stdout.write(f"Trust recomputed; {changed} level(s) changed.")

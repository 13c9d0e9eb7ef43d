import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from fireside.core.schedule import SCHEDULE, enqueue


class Command(BaseCommand):
    help = "Enqueue Fireside's periodic tasks when they are due (see fireside/core/schedule.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="enqueue every task once and exit"
        )

    def handle(self, *args: object, once: bool = False, **options: object) -> None:
        due: dict[str, datetime] = {}
        while True:
            now = timezone.now()
            for entry in SCHEDULE:
                if due.get(entry.task, now) <= now:
                    enqueue(entry)
                    due[entry.task] = now + entry.interval
                    self.stdout.write(f"{now:%Y-%m-%d %H:%M:%S} enqueued {entry.task}")
            if once:
                return
            time.sleep(30)

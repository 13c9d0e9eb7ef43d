from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fireside.core.exceptions import DomainError
from fireside.trust import actions
from fireside.trust.levels import LEVEL_NAMES, level_name


class Command(BaseCommand):
    help = (
        "Set a member's trust level (0–4), logged as an administrator action. The way "
        "an operator bootstraps the first cohort leads of a new instance."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("handle", help="the member's handle, with or without @")
        parser.add_argument("level", help="0 newcomer … 4 leader")
        parser.add_argument("--reason", default="", help="why, in a sentence")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(options["level"]).strip()
        if not raw.isdigit() or int(raw) not in LEVEL_NAMES:
            names = ", ".join(f"{n} {name}" for n, name in LEVEL_NAMES.items())
            raise CommandError(f"“{raw}” is not a trust level. Use one of: {names}.")
        try:
            member = actions.member_by_handle(options["handle"])
            change = actions.set_trust_level(member, int(raw), reason=options["reason"])
        except DomainError as error:
            raise CommandError(error.message) from None
        level = int(raw)
        if change is None or change.from_level == change.to_level:
            self.stdout.write(
                f"@{member.handle} is already at level {level} ({level_name(level)})."
            )
        else:
            self.stdout.write(
                f"@{member.handle} is now at level {level} ({level_name(level)}), "
                f"was {change.from_level}."
            )

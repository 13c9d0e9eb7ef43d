"""Demo data for `make run`, so a newcomer sees a living place. Safe to run again: what exists
is left alone. Each capability adds its part here, through its own actions."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fireside.accounts import actions as accounts
from fireside.accounts.models import Member

DEMO_PASSWORD = "fireside-demo"


@dataclass(frozen=True)
class DemoMember:
    handle: str
    display_name: str
    bio: str
    interests: list[str]


DEMO_MEMBERS = [
    DemoMember(
        handle="ada",
        display_name="Ada Okafor",
        bio="Amateur astronomer and retired maths teacher. I like slow questions and "
        "long answers. Ask me about **variable stars** or how to start observing "
        "from a city balcony.",
        interests=["astronomy", "mathematics", "teaching"],
    ),
    DemoMember(
        handle="grace",
        display_name="Grace Lindqvist",
        bio="Beekeeper on a small island. Half my hives survived last winter; "
        "the other half taught me more. I write about it at length.",
        interests=["beekeeping", "gardening", "island-life"],
    ),
    DemoMember(
        handle="linus",
        display_name="Linus Mbeki",
        bio="Bicycle mechanic. Fixes things, breaks fewer. Happy to talk gears, "
        "frames and why your chain skips.",
        interests=["cycling", "repair", "urban-planning"],
    ),
]


class Command(BaseCommand):
    help = "Load the demo members (and later communities) once; running it again changes nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off (never in production).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is for development instances (DEBUG on).")
        created = 0
        with transaction.atomic():
            for profile in DEMO_MEMBERS:
                if Member.objects.filter(handle=profile.handle).exists():
                    continue
                member = Member.objects.create_user(
                    profile.handle,
                    f"{profile.handle}@demo.fireside.invalid",
                    DEMO_PASSWORD,
                    display_name=profile.display_name,
                    email_verified_at=timezone.now(),
                    trust_level=Member.TrustLevel.MEMBER,
                )
                accounts.update_profile(
                    member,
                    bio=profile.bio,
                    interests=profile.interests,
                )
                created += 1
        if created:
            self.stdout.write(
                f"Loaded {created} demo members (password: {DEMO_PASSWORD})."
            )
        else:
            self.stdout.write("Demo data is already loaded.")

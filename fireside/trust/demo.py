"""Demo trust levels, so a newcomer to the code sees the trust page with something on it.
Safe to run again: a member already at the intended level is left alone."""

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.trust import actions

#: Levels the demo members end at, set the way an operator would (`set_trust`).
DEMO_LEVELS = {
    "ada": (3, "Demo data: a long-standing member many people talk with."),
    "grace": (2, "Demo data: a regular of her community."),
}
DEMO_ACTIVE_DAYS = 30


def load_trust_demo() -> None:
    today = timezone.now().date()
    for member in Member.objects.filter(handle__in=["ada", "grace", "linus", "noor"]):
        actions.backdate_activity(
            member, [today - timedelta(days=n) for n in range(DEMO_ACTIVE_DAYS)]
        )
        target = DEMO_LEVELS.get(member.handle)
        if target is not None and member.trust_level != target[0]:
            actions.set_trust_level(member, target[0], reason=target[1])
        elif target is None:
            actions.recompute_member(member)

"""Demo appeal, so a newcomer sees one: linus appeals the warning the City Skies cohort
gave him (moderation's demo); it goes to a cohort member who took no part in it. Safe to
run again: an action is appealed once."""

from fireside.appeals import actions
from fireside.appeals.models import Appeal
from fireside.moderation.actions import is_appealable
from fireside.moderation.models import ModAction

DEMO_APPELLANT = "linus"
DEMO_COMMUNITY = "city-skies"
DEMO_REASON = (
    "Demo appeal: the link is to the shop where I bought the felt, not an advert. The "
    "build is explained step by step in the post."
)


def load_appeals_demo() -> None:
    action = (
        ModAction.objects.in_force()
        .filter(
            subject__handle=DEMO_APPELLANT,
            community__slug=DEMO_COMMUNITY,
            kind=ModAction.Kind.WARN,
        )
        .order_by("proposed_at", "pk")
        .first()
    )
    if action is None or Appeal.objects.filter(action=action).exists():
        return
    if is_appealable(action):
        actions.appeal_action(action, by=action.subject, reason=DEMO_REASON)

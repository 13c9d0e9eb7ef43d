"""Demo staff data, so a newcomer sees the staff area working: ada is one of the
instance's administrators, and a throwaway spam account that asked two members for
conversations is suspended site-wide. (skywatch40917, from the conversations demo, stays
on the review list of unfamiliar-looking accounts.) Safe to run again."""

from datetime import timedelta

from django.utils import timezone

from fireside.accounts import actions as accounts
from fireside.accounts.models import Member
from fireside.communities import actions as communities
from fireside.communities.models import Community
from fireside.conversations import actions as conversations
from fireside.core.exceptions import DomainError

#: The demo login who administers the instance (not a superuser).
DEMO_STAFF = "ada"
DEMO_SPAMMER = "bestdeals2025"
DEMO_COMMUNITY = "city-skies"
DEMO_RECIPIENTS = ["noor", "grace"]
DEMO_MESSAGE = "cheap telescopes 90% off!!! link in my profile"
DEMO_REASON = (
    "Demo suspension: a two-day-old account sending the same advertisement to several "
    "members; both requests were held in Later."
)


def load_staff_demo() -> None:
    Member.objects.filter(handle=DEMO_STAFF).update(is_staff=True)
    staff = Member.objects.filter(handle=DEMO_STAFF).first()
    community = Community.objects.filter(slug=DEMO_COMMUNITY).first()
    if staff is None or community is None:
        return
    if Member.objects.filter(handle=DEMO_SPAMMER).exists():
        return
    # No password: nobody logs in as this account.
    spammer = Member.objects.create_user(
        DEMO_SPAMMER,
        f"{DEMO_SPAMMER}@demo.fireside.invalid",
        None,
        display_name="Best Deals",
        joined_at=timezone.now() - timedelta(days=2),
    )
    communities.join_community(community, member=spammer)
    for recipient in Member.objects.filter(handle__in=DEMO_RECIPIENTS):
        try:
            conversations.request_conversation(
                by=spammer, to=recipient, message=DEMO_MESSAGE
            )
        except DomainError:  # a limit or a member's choice: the demo goes on
            continue
    accounts.suspend_account(spammer, by=staff, reason=DEMO_REASON)

"""Demo cohorts and a shared blocklist, so a newcomer sees them working. Safe to run
again: every step first looks whether it was done.

City Skies (led by ada) gets two moderators, noor and grace, so the two-person rule and
appeals to an uninvolved peer can be shown. Its cohort publishes a list with one entry,
and Small Hives (led by grace) screens joins with it in queue mode: when linus asks to
join Small Hives, his request waits in the join queue."""

from fireside.accounts.models import Member
from fireside.blocklists import actions
from fireside.blocklists.models import Blocklist, BlocklistSubscription
from fireside.communities import actions as communities
from fireside.communities.models import Community, Membership

COHORT_COMMUNITY = "city-skies"
MODERATORS = ["noor", "grace"]
LIST_NAME = "Shop links posted as questions"
LIST_DESCRIPTION = "Accounts that open posts only to send people to a shop."
LISTED_HANDLE = "linus"
LISTED_REASON = (
    "Demo entry: opened posts in three communities in one evening, each linking to the "
    "same shop."
)
SUBSCRIBER = "small-hives"


def load_blocklists_demo() -> None:
    members = {member.handle: member for member in Member.objects.all()}
    communities_by_slug = {
        community.slug: community
        for community in Community.objects.filter(
            slug__in=[COHORT_COMMUNITY, SUBSCRIBER]
        )
    }
    home = communities_by_slug.get(COHORT_COMMUNITY)
    subscriber = communities_by_slug.get(SUBSCRIBER)
    if home is None or subscriber is None or home.created_by is None:
        return
    lead = home.created_by
    for handle in MODERATORS:
        member = members.get(handle)
        if member is None:
            continue
        membership = communities.join_community(home, member=member)
        if membership.is_cohort:
            continue
        if communities.open_cohort_invitation(home, member) is None:
            communities.invite_to_cohort(home, by=lead, member=member)
        communities.answer_cohort_invitation(home, member=member, accept=True)
    blocklist = Blocklist.objects.filter(community=home, name=LIST_NAME).first()
    if blocklist is None:
        blocklist = actions.create_blocklist(
            home, by=lead, name=LIST_NAME, description=LIST_DESCRIPTION
        )
        if LISTED_HANDLE in members:
            actions.add_entry(
                blocklist, by=lead, handle=LISTED_HANDLE, reason=LISTED_REASON
            )
        actions.set_blocklist_published(blocklist, by=lead, is_published=True)
    subscriber_lead = (
        subscriber.memberships.cohort()
        .filter(role=Membership.Role.LEAD)
        .select_related("member")
        .first()
    )
    if subscriber_lead is not None:
        actions.subscribe(
            subscriber,
            by=subscriber_lead.member,
            blocklist=blocklist,
            mode=BlocklistSubscription.Mode.QUEUE,
        )

"""Demo blocks-and-reports data, so a newcomer sees the safety page and a cohort's case list
with something on them, and the cohort's actions: a ban waiting for a second moderator
and a warning in force, in the public log. Safe to run again: what exists is kept."""

from fireside.accounts.models import Member
from fireside.communities.models import Membership
from fireside.moderation import actions
from fireside.moderation.models import Case, ModAction
from fireside.posts.models import Post
from fireside.safety.actions import mute_member

#: noor mutes linus; noor reports one of linus's posts in City Skies, citing rule 3.
DEMO_REPORTER = "noor"
DEMO_COMMUNITY = "city-skies"
DEMO_POST_TITLE = "Building a dew shield from a bicycle mudguard"
DEMO_RULE = 3
DEMO_REASON = "Demo report: the post links to a shop rather than explaining the build."
DEMO_WARNING = (
    "Demo action: please explain the build in the post itself; links to shops are "
    "welcome only as a footnote."
)
DEMO_BAN = (
    "Demo action: a proposed ban, waiting for a second moderator of the cohort. It "
    "lapses after 72 hours if nobody confirms it."
)


def load_moderation_demo() -> None:
    members = {m.handle: m for m in Member.objects.filter(handle__in=["noor", "linus"])}
    if len(members) < 2:
        return
    mute_member(members["linus"], by=members["noor"])
    post = (
        Post.objects.live()
        .filter(community__slug=DEMO_COMMUNITY, title=DEMO_POST_TITLE)
        .first()
    )
    if post is None:
        return
    report = actions.file_report(
        post,
        by=members[DEMO_REPORTER],
        rule_number=DEMO_RULE,
        reason=DEMO_REASON,
    )
    _load_actions_demo(report.case)


def _load_actions_demo(case: Case) -> None:
    """The demo lead proposes a ban (pending: it needs a second cohort member) and warns
    the member (in force at once, so it shows in the log)."""
    if case.community is None or ModAction.objects.filter(case=case).exists():
        return
    lead = (
        Membership.objects.cohort()
        .filter(community=case.community, role=Membership.Role.LEAD)
        .select_related("member")
        .first()
    )
    if lead is None or case.state == Case.State.RESOLVED:
        return
    actions.claim_case(case, by=lead.member)
    actions.propose_action(
        case, by=lead.member, kind="ban", rule_number=DEMO_RULE, reason=DEMO_BAN
    )
    actions.propose_action(
        case, by=lead.member, kind="warn", rule_number=DEMO_RULE, reason=DEMO_WARNING
    )

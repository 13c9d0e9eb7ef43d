"""Demo blocks-and-reports data, so a newcomer sees the safety page and a cohort's case list
with something on them. Safe to run again: a mute or an open report that exists is kept."""

from fireside.accounts.models import Member
from fireside.moderation import actions
from fireside.posts.models import Post
from fireside.safety.actions import mute_member

#: noor mutes linus; noor reports one of linus's posts in City Skies, citing rule 3.
DEMO_REPORTER = "noor"
DEMO_COMMUNITY = "city-skies"
DEMO_POST_TITLE = "Building a dew shield from a bicycle mudguard"
DEMO_RULE = 3
DEMO_REASON = "Demo report: the post links to a shop rather than explaining the build."


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
    actions.file_report(
        post,
        by=members[DEMO_REPORTER],
        rule_number=DEMO_RULE,
        reason=DEMO_REASON,
    )

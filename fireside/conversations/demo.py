"""Demo unfamiliar-sender signals, so a newcomer sees ada's Later tray with a request in it
and the reasons it was held. Safe to run again: an existing demo sender is left alone."""

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities import actions as communities
from fireside.communities.models import Community
from fireside.conversations import actions
from fireside.posts.models import Post

#: A day-old account with a digit-heavy handle asks ada about her post in City Skies:
#: "new account" and "handle with many digits" together hold it in her Later tray.
DEMO_SENDER = "skywatch40917"
DEMO_COMMUNITY = "city-skies"
DEMO_MESSAGE = "saw ur post. whats the best telescope to buy?? dm me"


def load_conversations_demo() -> None:
    ada = Member.objects.filter(handle="ada").first()
    community = Community.objects.filter(slug=DEMO_COMMUNITY).first()
    if ada is None or community is None:
        return
    if Member.objects.filter(handle=DEMO_SENDER).exists():
        return
    # No password: nobody logs in as this account; it only shows what Later looks like.
    sender = Member.objects.create_user(
        DEMO_SENDER,
        f"{DEMO_SENDER}@demo.fireside.invalid",
        None,
        display_name="Sky Watch",
        joined_at=timezone.now() - timedelta(days=1, hours=3),
    )
    communities.join_community(community, member=sender)
    post = Post.objects.live().filter(community=community, author=ada).first()
    actions.request_conversation(by=sender, to=ada, message=DEMO_MESSAGE, post=post)

import pytest
from django.core.management import CommandError, call_command

from fireside.accounts.models import Member
from fireside.communities.models import Community, Membership
from fireside.connections.demo import DEMO_FRIEND, OLD_TALKS
from fireside.conversations.demo import DEMO_SENDER
from fireside.conversations.models import Conversation, Message
from fireside.core.demo import COMMUNITIES, CONVERSATIONS, MEMBERS
from fireside.federation.demo import DEMO_HANDLE
from fireside.posts.models import Post
from fireside.ratings.demo import CAMP_POST_COUNT, RATER_HANDLES
from fireside.search import fulltext
from fireside.staff.demo import DEMO_RECIPIENTS, DEMO_SPAMMER


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Member, Community, Membership, Post, Conversation, Message)
    }


@pytest.mark.django_db
def test_load_demo_fills_a_living_instance(settings):
    settings.DEBUG = True

    call_command("load_demo")

    assert set(Member.objects.values_list("handle", flat=True)) == {
        member.handle for member in MEMBERS
    } | {DEMO_SENDER, DEMO_SPAMMER, DEMO_FRIEND[0], DEMO_HANDLE} | set(RATER_HANDLES)
    assert Community.objects.count() == len(COMMUNITIES)
    assert (
        Post.objects.count() == sum(len(c.posts) for c in COMMUNITIES) + CAMP_POST_COUNT
    )
    # The demo conversations, one request held in ada's Later tray, and the requests
    # of the spam account the staff demo suspends, and ada's old conversations with
    # connections (dormant and fading), and ada's with a member of another server.
    assert Conversation.objects.count() == (
        len(CONVERSATIONS) + 1 + len(DEMO_RECIPIENTS) + len(OLD_TALKS) + 1
    )
    # Everything went through the actions, so the directory search finds it.
    assert fulltext.search_ids("community", "beekeeping")


@pytest.mark.django_db
def test_load_demo_a_second_time_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo")
    before = counts()

    call_command("load_demo")

    assert counts() == before


@pytest.mark.django_db
def test_load_demo_refuses_a_production_instance(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not Member.objects.exists()

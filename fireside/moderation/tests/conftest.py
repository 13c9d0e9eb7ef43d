import pytest

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Membership, Rule
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory
from fireside.conversations import actions as conversations
from fireside.conversations.models import Message
from fireside.posts.tests.factories import PostFactory


@pytest.fixture
def eve(db):
    return MemberFactory(handle="eve", display_name="Eve Ellis")


@pytest.fixture
def skies(alice, bob, eve):
    """An open community: bob leads it, alice and eve are members; two numbered rules."""
    community = CommunityFactory(slug="skies", name="Skies", created_by=bob)
    MembershipFactory(community=community, member=alice)
    MembershipFactory(community=community, member=eve)
    Rule.objects.create(community=community, number=1, text="Be kind.")
    Rule.objects.create(community=community, number=2, text="No selling.")
    return community


@pytest.fixture
def other_lead(db):
    """Leads another community: a cohort member, but not of skies."""
    lead = MemberFactory(handle="olga", display_name="Olga Ortiz")
    CommunityFactory(slug="hives", name="Hives", created_by=lead)
    return lead


@pytest.fixture
def staff(db):
    return MemberFactory(handle="sam", display_name="Sam Staff", is_staff=True)


@pytest.fixture
def eves_post(skies, eve):
    return PostFactory(community=skies, author=eve, title="Cheap telescopes here")


def write(conversation, author, count):
    """Add COUNT messages by AUTHOR after the conversation's last one."""
    messages = []
    for _ in range(count):
        conversation.last_seq += 1
        messages.append(
            Message.objects.create(
                conversation=conversation,
                seq=conversation.last_seq,
                author=author,
                body=f"message number {conversation.last_seq}",
            )
        )
    conversation.save(update_fields=["last_seq"])
    return messages


@pytest.fixture
def post_conversation(alice, eve, eves_post):
    """alice asked eve about eve's post in skies; eve accepted; ten messages in all."""
    conversation = conversations.request_conversation(
        by=alice, to=eve, message="message number 1", post=eves_post
    )
    conversation = conversations.accept_conversation(conversation, by=eve)
    write(conversation, eve, 9)
    return conversation


@pytest.fixture
def private_conversation(alice, charlie):
    """alice and charlie talk outside any community (charlie takes anyone's requests)."""
    charlie.who_may_ask = type(charlie).WhoMayAsk.ANYONE
    charlie.save(update_fields=["who_may_ask"])
    conversation = conversations.request_conversation(
        by=alice, to=charlie, message="message number 1"
    )
    conversation = conversations.accept_conversation(conversation, by=charlie)
    write(conversation, charlie, 3)
    return conversation


def make_cohort(member, community):
    Membership.objects.update_or_create(
        community=community,
        member=member,
        defaults={"role": Membership.Role.MODERATOR, "state": Membership.State.ACTIVE},
    )

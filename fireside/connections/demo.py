"""Demo connections, so a newcomer sees the connections page and the network audit with
something on them: ada keeps in touch with grace (active), with noor (a conversation 100
days ago: dormant) and with mira (45 days ago: fading). Safe to run again: a pair that
already keeps in touch is left alone."""

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities import actions as communities
from fireside.communities.models import Community, Membership
from fireside.connections import actions
from fireside.connections.queries import is_connected
from fireside.conversations import actions as conversations
from fireside.conversations.models import Conversation, Message
from fireside.core.exceptions import DomainError

DEMO_COMMUNITY = "city-skies"
#: A member of City Skies ada talked with a while ago; nobody logs in as her.
DEMO_FRIEND = ("mira", "Mira Sato", "Sketches the Moon from a tram stop. Slow replies.")
OLD_TALKS = {
    "noor": (
        100,
        [
            "Your post made me want to try binoculars on my walk home from the "
            "night shift. Where do I start?",
            "With the Moon, then Jupiter's moons. Algol when you feel patient.",
            "Then I will try tonight. Thank you!",
        ],
    ),
    "mira": (
        45,
        [
            "Your sketch of the terminator was lovely. Pencil or charcoal?",
            "Soft pencil, and a tram that is always late.",
        ],
    ),
}


def _friend() -> Member:
    handle, display_name, bio = DEMO_FRIEND
    found = Member.objects.filter(handle=handle).first()
    if found is not None:
        return found
    friend = Member.objects.create_user(
        handle,
        f"{handle}@demo.fireside.invalid",
        None,
        display_name=display_name,
        bio=bio,
        joined_at=timezone.now() - timedelta(days=200),
        email_verified_at=timezone.now() - timedelta(days=200),
        trust_level=Member.TrustLevel.MEMBER,
    )
    return friend


def _old_talk(ada: Member, other: Member, days: int, words: list[str]) -> None:
    """A conversation OTHER started with ada DAYS ago, long since archived."""
    if Conversation.objects.between(ada, other).exists():
        return
    community = Community.objects.filter(slug=DEMO_COMMUNITY).first()
    if community is None:
        return
    if not Membership.objects.active().filter(community=community, member=other):
        communities.join_community(community, member=other)
    conversation = conversations.request_conversation(
        by=other, to=ada, message=words[0]
    )
    conversations.accept_conversation(conversation, by=ada)
    for number, body in enumerate(words[1:]):
        conversations.send_message(conversation, by=[ada, other][number % 2], body=body)
    conversations.archive_conversation(conversation, by=ada)
    # Demo only: move the whole conversation into the past.
    start = timezone.now() - timedelta(days=days)
    for message in Message.objects.filter(conversation=conversation):
        Message.objects.filter(pk=message.pk).update(
            sent_at=start + timedelta(hours=message.seq)
        )
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=start,
        decided_at=start,
        last_message_at=start + timedelta(hours=len(words)),
    )


def _keep_in_touch(one: Member, other: Member) -> None:
    if is_connected(one, other):
        return
    actions.offer_connection(other, by=one)
    actions.accept_connection(one, by=other)


def load_connections_demo() -> None:
    members = {m.handle: m for m in Member.objects.filter(handle__in=["ada", "grace"])}
    if len(members) < 2:
        return
    ada = members["ada"]
    try:
        _keep_in_touch(ada, members["grace"])
        friends = {"mira": _friend()}
        noor = Member.objects.filter(handle="noor").first()
        if noor is not None:
            friends["noor"] = noor
        for handle, friend in friends.items():
            days, words = OLD_TALKS[handle]
            _old_talk(ada, friend, days, words)
            _keep_in_touch(ada, friend)
    except DomainError:
        return  # the demo places changed: fewer connections rather than a failed load

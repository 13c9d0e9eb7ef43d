"""Raters, published dialogues and two-camp rating patterns for the ratings tests."""

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Membership
from fireside.communities.tests.factories import MembershipFactory
from fireside.conversations.models import Conversation
from fireside.dialogues.models import Dialogue
from fireside.posts.tests.factories import PostFactory
from fireside.ratings import actions


def rater(community, member=None, *, trust_level=1, days_in=2):
    """A member of COMMUNITY who may rate there: trust level 1, joined DAYS_IN days ago."""
    member = member or MemberFactory()
    if member.trust_level != trust_level:
        member.trust_level = trust_level
        member.save(update_fields=["trust_level"])
    joined = timezone.now() - timedelta(days=days_in)
    membership = Membership.objects.filter(community=community, member=member).first()
    if membership is None:
        MembershipFactory(community=community, member=member, joined_at=joined)
    else:
        Membership.objects.filter(pk=membership.pk).update(
            joined_at=joined, state=Membership.State.ACTIVE
        )
    return member


def published_dialogue(community, *, initiator=None, recipient=None, post=None):
    initiator = initiator or MemberFactory()
    recipient = recipient or MemberFactory()
    low, high = sorted([initiator.pk, recipient.pk])
    conversation = Conversation.objects.create(
        initiator=initiator,
        recipient=recipient,
        pair_low=low,
        pair_high=high,
        state=Conversation.State.ACTIVE,
        decided_at=timezone.now(),
    )
    return Dialogue.objects.create(
        conversation=conversation,
        community=community,
        post=post,
        from_seq=1,
        to_seq=1,
        title="A careful exchange about streetlights",
        state=Dialogue.State.PUBLISHED,
        published_at=timezone.now(),
    )


#: Titles without digits, so a test can look for stray numbers on a page.
CAMP_A_TITLES = [
    "Dark sky ordinances work",
    "Shielded lamps are enough",
    "Councils should switch off at midnight",
    "Amber light for every street",
]
CAMP_B_TITLES = [
    "Bright streets keep people safe",
    "Telescopes belong in the countryside",
    "White light is better for drivers",
    "Light pollution is overstated",
]


class TwoCamps:
    """A community in which two camps of raters rate twelve posts: a bridging one both
    camps find helpful, four each camp alone likes, two nobody likes, one mixed."""

    def __init__(self, community, *, sizes=(9, 7), bridging_author=None):
        # Camps of unequal size, as in life: a perfectly mirrored pattern gives the
        # scorer's starting point nothing to tell the two camps apart by.
        self.community = community
        self.camp_a = [rater(community) for _ in range(sizes[0])]
        self.camp_b = [rater(community) for _ in range(sizes[1])]
        self.bridging = PostFactory(
            community=community,
            author=bridging_author or MemberFactory(),
            title="What you can still see from a city balcony",
        )
        self.a_posts = [
            PostFactory(community=community, title=t) for t in CAMP_A_TITLES
        ]
        self.b_posts = [
            PostFactory(community=community, title=t) for t in CAMP_B_TITLES
        ]
        self.junk = [
            PostFactory(community=community, title="Everyone here is wrong"),
            PostFactory(community=community, title="Buy my telescope"),
        ]
        self.mixed = PostFactory(community=community, title="Is the Moon a nuisance")

    @property
    def raters(self) -> list[Member]:
        return self.camp_a + self.camp_b

    def rate_all(self):
        for member in self.camp_a:
            self._rate(member, mine=self.a_posts, theirs=self.b_posts)
        for member in self.camp_b:
            self._rate(member, mine=self.b_posts, theirs=self.a_posts)

    def _rate(self, member, *, mine, theirs):
        actions.rate(self.bridging, by=member, value="helpful", tags=["clear"])
        for post in mine:
            actions.rate(post, by=member, value="helpful")
        for post in theirs:
            actions.rate(post, by=member, value="not_helpful")
        for post in self.junk:
            actions.rate(post, by=member, value="not_helpful", tags=["hostile"])
        actions.rate(self.mixed, by=member, value="somewhat")

"""Demo ratings, so a newcomer sees Highlights working: in City Skies, two camps of demo
raters (those who want dark streets, those who want bright ones) rate the community's
posts. Each camp likes its own side's posts and not the other's; both find Ada's "What can
you really see from a city centre?" helpful, so after scoring it is labelled "found
helpful across perspectives" and Ada gets a private note saying so.

The raters are accounts without a usable password (nobody logs in as them). Safe to run
again: existing raters, posts and ratings are reused, and a community already scored is
left alone."""

from datetime import timedelta

from django.utils import timezone

from fireside.accounts.models import Member
from fireside.communities import actions as communities
from fireside.communities.models import Community, Membership
from fireside.posts import actions as posts
from fireside.posts.models import Post
from fireside.ratings import actions
from fireside.ratings.models import ItemScore
from fireside.trust.actions import backdate_activity

DEMO_COMMUNITY = "city-skies"
BRIDGING_TITLE = "What can you really see from a city centre?"
#: Unequal camps, as in life.
CAMP_SIZES = {"amber": 16, "bright": 14}
CAMP_POSTS = {
    "amber": [
        (
            "Dark-sky rules for our street lights",
            "Our council is replacing street lights next year. Shielded, warm lamps "
            "that point down cost the same and give us back the Milky Way.",
        ),
        (
            "Switch the floodlights off at midnight",
            "The stadium lights stay on long after the last match. A curfew would "
            "cost nobody anything.",
        ),
        (
            "Amber light is kinder to everyone",
            "Warm light scatters less and disturbs sleep less. Why do we keep "
            "installing blue-white lamps?",
        ),
        (
            "A petition for a dark-sky park",
            "The old quarry outside town could be a dark-sky park. Who would sign?",
        ),
    ],
    "bright": [
        (
            "Bright streets feel safer at night",
            "I walk home late. Well-lit streets make me feel safe; I would rather "
            "drive out of town to observe than dim the city.",
        ),
        (
            "Observe from the countryside, not the centre",
            "A city is for living in. Twenty minutes by car and the sky is dark; "
            "that is where telescopes belong.",
        ),
        (
            "White light helps drivers and cyclists",
            "Colour rendering matters on the road. Amber lamps make it harder to see "
            "a cyclist's jacket.",
        ),
        (
            "Light pollution worries are overstated",
            "Most of what people want to see is the Moon and the planets, and they "
            "shine through any street light.",
        ),
    ],
}
OTHER = {"amber": "bright", "bright": "amber"}


def _letters(number: int) -> str:
    word = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        word = chr(ord("a") + rest) + word
    return word


def _handle(camp: str, number: int) -> str:
    return f"{camp}_sky_{_letters(number)}"


#: Every demo rater's handle, and how many posts the camps add (for load_demo's tests).
RATER_HANDLES = [
    _handle(camp, number) for camp, size in CAMP_SIZES.items() for number in range(size)
]
CAMP_POST_COUNT = sum(len(entries) for entries in CAMP_POSTS.values())


def _raters(community: Community) -> dict[str, list[Member]]:
    now = timezone.now()
    camps: dict[str, list[Member]] = {}
    for camp, size in CAMP_SIZES.items():
        camps[camp] = []
        for number in range(size):
            handle = _handle(camp, number)
            member = Member.objects.filter(handle=handle).first()
            if member is None:
                member = Member.objects.create_user(
                    handle,
                    f"{handle}@demo.fireside.invalid",
                    None,  # no usable password: a demo rater, not a demo login
                    display_name=f"{camp.title()} sky watcher {_letters(number).upper()}",
                    email_verified_at=now - timedelta(days=40),
                    joined_at=now - timedelta(days=40),
                    trust_level=Member.TrustLevel.MEMBER,
                )
                backdate_activity(member, [(now - timedelta(days=20)).date()])
            if (
                not Membership.objects.active()
                .filter(community=community, member=member)
                .exists()
            ):
                communities.join_community(community, member=member)
                # Demo only: they joined weeks ago, so they may rate.
                Membership.objects.filter(community=community, member=member).update(
                    joined_at=now - timedelta(days=20)
                )
            camps[camp].append(member)
    return camps


def _camp_posts(
    community: Community, camps: dict[str, list[Member]]
) -> dict[str, list[Post]]:
    made: dict[str, list[Post]] = {}
    for camp, entries in CAMP_POSTS.items():
        made[camp] = []
        for number, (title, body) in enumerate(entries):
            post = Post.objects.filter(community=community, title=title).first()
            if post is None:
                post = posts.create_post(
                    community, by=camps[camp][number], title=title, body=body
                )
                # Demo only: older than the community's main demo posts.
                Post.objects.filter(pk=post.pk).update(
                    created_at=timezone.now() - timedelta(days=3 + 2 * number)
                )
            made[camp].append(post)
    return made


def _rate(
    post: Post, member: Member, value: str, tags: list[str] | None = None
) -> None:
    if post.author_id != member.pk:
        actions.rate(post, by=member, value=value, tags=tags or [])


def load_ratings_demo() -> None:
    community = Community.objects.filter(slug=DEMO_COMMUNITY).first()
    bridging = (
        Post.objects.filter(community=community, title=BRIDGING_TITLE).first()
        if community
        else None
    )
    if community is None or bridging is None:
        return
    if ItemScore.objects.filter(post=bridging).exists():
        return
    camps = _raters(community)
    camp_posts = _camp_posts(community, camps)
    others = Post.objects.filter(community=community).exclude(pk=bridging.pk)
    night_shifts = others.filter(title="Night shifts and the Moon").first()
    for camp, members in camps.items():
        for member in members:
            _rate(bridging, member, "helpful", ["clear"])
            for post in camp_posts[camp]:
                _rate(post, member, "helpful")
            for post in camp_posts[OTHER[camp]]:
                _rate(post, member, "not_helpful", ["misleading"])
            if night_shifts is not None:
                _rate(night_shifts, member, "somewhat")
    actions.score_community(community)

import factory

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.tests.factories import CommunityFactory, MembershipFactory


def _letters(number: int) -> str:
    word = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        word = chr(ord("a") + rest) + word
    return word


class PlainMemberFactory(MemberFactory):
    """A member whose handle holds no digits. MemberFactory's handles (member_1234 once a
    run has made a thousand) carry the "handle with many digits" signal, which with "new
    account" holds a request in Later: use this one where a sender should look ordinary."""

    handle = factory.Sequence(lambda n: f"plain_{_letters(n)}")


def share_community(*members):
    """Put MEMBERS in one community, so the default "who may ask" lets them ask."""
    community = CommunityFactory(created_by=members[0])
    for member in members[1:]:
        MembershipFactory(community=community, member=member)
    return community

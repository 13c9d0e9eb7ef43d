from fireside.communities.tests.factories import CommunityFactory, MembershipFactory


def share_community(*members):
    """Put MEMBERS in one community, so the default "who may ask" lets them ask."""
    community = CommunityFactory(created_by=members[0])
    for member in members[1:]:
        MembershipFactory(community=community, member=member)
    return community

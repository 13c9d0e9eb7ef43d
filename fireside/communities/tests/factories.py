import factory
from django.utils import timezone

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.models import Community, Membership


class CommunityFactory(factory.django.DjangoModelFactory):
    """A community row without search indexing; use actions.create_community when the
    directory search must find it."""

    class Meta:
        model = Community
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"community-{n}")
    name = factory.Sequence(lambda n: f"Community {n}")
    description = "A place to talk about things one at a time."
    visibility = Community.Visibility.OPEN
    created_by = factory.SubFactory(MemberFactory)

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        if create and self.created_by is not None:
            Membership.objects.get_or_create(
                community=self,
                member=self.created_by,
                defaults={
                    "role": Membership.Role.LEAD,
                    "state": Membership.State.ACTIVE,
                    "joined_at": timezone.now(),
                },
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    member = factory.SubFactory(MemberFactory)
    state = Membership.State.ACTIVE
    role = Membership.Role.MEMBER
    joined_at = factory.LazyFunction(timezone.now)

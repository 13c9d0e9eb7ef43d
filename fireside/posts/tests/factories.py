import factory

from fireside.accounts.tests.factories import MemberFactory
from fireside.communities.tests.factories import CommunityFactory
from fireside.posts.models import Post


class PostFactory(factory.django.DjangoModelFactory):
    """A post row without search indexing; use actions.create_post when search matters."""

    class Meta:
        model = Post

    community = factory.SubFactory(CommunityFactory)
    author = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"Post number {n}")
    body = "Something worth talking about, one to one."

import factory
from django.utils import timezone

from fireside.accounts.models import Member

PASSWORD = "a quiet fireside evening"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    handle = factory.Sequence(lambda n: f"member_{n}")
    email = factory.LazyAttribute(lambda member: f"{member.handle}@example.org")
    display_name = factory.LazyAttribute(
        lambda member: member.handle.replace("_", " ").title()
    )
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

import factory
from django.utils import timezone

from fireside.accounts.models import Member

PASSWORD = "a quiet fireside evening"


def _letters(number: int) -> str:
    """0 → a, 25 → z, 26 → ba: a number spelled in letters."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[digit] + letters
        if not number:
            return letters


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    # Letters, not digits: a handle with a run of digits is an unfamiliar-sender signal,
    # and the thousandth member of a test run must not look like a throwaway account.
    handle = factory.Sequence(lambda n: f"member_{_letters(n)}")
    email = factory.LazyAttribute(lambda member: f"{member.handle}@example.org")
    display_name = factory.LazyAttribute(
        lambda member: member.handle.replace("_", " ").title()
    )
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

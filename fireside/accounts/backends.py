from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from fireside.accounts.models import Member
from fireside.accounts.queries import find_member_by_login


class HandleOrEmailBackend(ModelBackend):
    """Log in with a handle (any case, with or without @) or an email address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Member | None:
        if not username or password is None:
            return None
        member = find_member_by_login(username)
        if member is None:
            # Spend the same time as a real check, so timing does not reveal who exists.
            Member().set_password(password)
            return None
        if member.check_password(password) and self.user_can_authenticate(member):
            return member
        return None

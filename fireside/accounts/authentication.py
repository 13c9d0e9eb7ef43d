from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from fireside.accounts.actions import member_for_token
from fireside.accounts.models import Member


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        member = member_for_token(token)
        if member is not None:
            request.user = member
        return member


class MemberSessionAuth(SessionAuth):
    """The browser's session; ninja checks the CSRF token on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return super().authenticate(request, key)


# Bearer first: a client that sends a token means it, whatever cookies it carries.
member_auth = [TokenAuth(), MemberSessionAuth()]

from typing import Any

from django.contrib.auth.models import AnonymousUser
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

    def __call__(self, request: HttpRequest) -> Any:
        # Without a session cookie there is no session a forged request could ride on:
        # step aside, so a client with no credentials (or a token that no longer works)
        # hears 401, not a CSRF refusal about a cookie it never sent.
        if not request.COOKIES.get(self.param_name):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return super().authenticate(request, key)


# Bearer first: a client that sends a token means it, whatever cookies it carries.
member_auth = [TokenAuth(), MemberSessionAuth()]


def anonymous_visitor(request: HttpRequest) -> AnonymousUser | None:
    """Let a request without credentials through as an anonymous visitor. A request that
    sends an Authorization header which did not authenticate is refused (401), so a client
    with an expired token learns it instead of silently seeing less."""
    if request.headers.get("Authorization"):
        return None
    return AnonymousUser()


# For pages anyone may read: a member when credentials are sent, otherwise an anonymous visitor.
optional_member_auth = [*member_auth, anonymous_visitor]


def request_member(request: HttpRequest) -> Member:
    """The member `member_auth` authenticated."""
    member = request.auth  # type: ignore[attr-defined]
    assert isinstance(member, Member)
    return member


def request_viewer(request: HttpRequest) -> Member | None:
    """The member `optional_member_auth` authenticated, or None for an anonymous visitor."""
    viewer = getattr(request, "auth", None)
    return viewer if isinstance(viewer, Member) else None


def session_member(request: HttpRequest) -> Member:
    """The logged-in member of a page view (behind login_required)."""
    assert isinstance(request.user, Member)
    return request.user

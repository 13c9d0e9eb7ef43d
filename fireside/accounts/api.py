from datetime import datetime

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from fireside.accounts import actions
from fireside.accounts.authentication import member_auth
from fireside.accounts.handles import normalize_handle
from fireside.accounts.models import ApiToken, Member
from fireside.core.ratelimit import client_address
from fireside.core.text import render_markdown

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"], auth=member_auth)
members_router = Router(tags=["members"])


def _member(request: HttpRequest) -> Member:
    member = request.auth  # type: ignore[attr-defined]
    assert isinstance(member, Member)
    return member


class SignupIn(Schema):
    handle: str
    email: str
    password: str
    display_name: str


class SignupOut(Schema):
    handle: str
    display_name: str


class TokenIn(Schema):
    login: str
    password: str


class TokenOut(Schema):
    token: str


class VerifyIn(Schema):
    token: str


class PasswordChangeIn(Schema):
    current_password: str
    new_password: str


class ResetRequestIn(Schema):
    email: str


class ResetConfirmIn(Schema):
    uid: str
    token: str
    new_password: str


class Message(Schema):
    detail: str


class ApiTokenIn(Schema):
    name: str


class ApiTokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None


class NewApiTokenOut(ApiTokenOut):
    token: str


class MeOut(Schema):
    handle: str
    display_name: str
    email: str
    email_verified: bool
    bio: str
    interests: list[str]
    trust_level: int
    joined: datetime

    @staticmethod
    def resolve_email_verified(member: Member) -> bool:
        return member.is_email_verified

    @staticmethod
    def resolve_joined(member: Member) -> datetime:
        return member.joined_at


class ProfileIn(Schema):
    display_name: str | None = None
    bio: str | None = None
    interests: list[str] | str | None = None


class MemberOut(Schema):
    """A public profile. It has no follower, post, like or view count, by design."""

    handle: str
    display_name: str
    bio: str
    bio_html: str
    interests: list[str]
    trust_level: int
    joined: datetime

    @staticmethod
    def resolve_bio_html(member: Member) -> str:
        return str(render_markdown(member.bio))

    @staticmethod
    def resolve_joined(member: Member) -> datetime:
        return member.joined_at


@auth_router.post("signup", response={201: SignupOut}, auth=None)
def signup(request: HttpRequest, payload: SignupIn) -> Status[SignupOut]:
    """Create an account; a verification link is mailed to the address."""
    member = actions.sign_up_member(**payload.dict(), address=client_address(request))
    return Status(
        201, SignupOut(handle=member.handle, display_name=member.display_name)
    )


@auth_router.post("token", response=TokenOut, auth=None)
def token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    """Exchange a handle or email and password for a bearer token."""
    member = actions.log_in(
        payload.login, payload.password, address=client_address(request)
    )
    _, secret = actions.issue_api_token(member, name="Log-in from the API")
    return TokenOut(token=secret)


@auth_router.post("verify", response=MeOut, auth=None)
def verify(request: HttpRequest, payload: VerifyIn) -> Member:
    """Verify an email address with the token from the mailed link (/verify/<token>/)."""
    return actions.verify_email(payload.token)


@auth_router.post("verification", response={202: Message}, auth=member_auth)
def resend_verification(request: HttpRequest) -> Status[Message]:
    """Mail a fresh verification link."""
    actions.resend_verification_mail(_member(request), address=client_address(request))
    return Status(202, Message(detail="A new verification link is on its way."))


@auth_router.post("password", response={204: None}, auth=member_auth)
def change_password(request: HttpRequest, payload: PasswordChangeIn) -> Status[None]:
    actions.change_password(
        _member(request),
        current_password=payload.current_password,
        new_password=payload.new_password,
    )
    return Status(204, None)


@auth_router.post("password/reset", response={202: Message}, auth=None)
def request_reset(request: HttpRequest, payload: ResetRequestIn) -> Status[Message]:
    """Mail a reset link if an account uses the address (the answer is the same if not)."""
    actions.request_password_reset(payload.email, address=client_address(request))
    return Status(
        202, Message(detail="If an account uses that address, a link is on its way.")
    )


@auth_router.post("password/reset/confirm", response=Message, auth=None)
def confirm_reset(request: HttpRequest, payload: ResetConfirmIn) -> Message:
    actions.reset_password(
        payload.uid, payload.token, new_password=payload.new_password
    )
    return Message(detail="Your password is changed. Log in with the new one.")


@auth_router.get("tokens", response=list[ApiTokenOut], auth=member_auth)
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.owned_by(_member(request)).live())


@auth_router.post("tokens", response={201: NewApiTokenOut}, auth=member_auth)
def create_token(request: HttpRequest, payload: ApiTokenIn) -> Status[NewApiTokenOut]:
    """Create a token; its secret is in this answer only."""
    api_token, secret = actions.issue_api_token(_member(request), name=payload.name)
    return Status(
        201,
        NewApiTokenOut(
            id=api_token.pk,
            name=api_token.name,
            hint=api_token.hint,
            created_at=api_token.created_at,
            last_used_at=api_token.last_used_at,
            token=secret,
        ),
    )


@auth_router.delete("tokens/{token_id}", response={204: None}, auth=member_auth)
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    member = _member(request)
    api_token = get_object_or_404(ApiToken.objects.owned_by(member).live(), pk=token_id)
    actions.revoke_api_token(api_token, by=member)
    return Status(204, None)


@me_router.get("", response=MeOut)
def me(request: HttpRequest) -> Member:
    return _member(request)


@me_router.patch("", response=MeOut)
def edit_me(request: HttpRequest, payload: ProfileIn) -> Member:
    """Change display name, bio (Markdown) or interests; fields left out stay as they are."""
    return actions.update_profile(_member(request), **payload.dict(exclude_unset=True))


@members_router.get("{handle}", response=MemberOut)
def member_detail(request: HttpRequest, handle: str) -> Member:
    """A member's public profile."""
    handle = normalize_handle(handle)
    if "\x00" in handle:  # no handle has one, and PostgreSQL refuses to compare it
        raise Http404
    visible = Member.objects.visible_to(request.user)
    return get_object_or_404(visible, handle=handle)

"""Every change to accounts: sign-up, verification, log-in, tokens, passwords, profiles.
Pages and the API both call these, so they accept and refuse exactly the same things."""

import secrets
import unicodedata
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from fireside.accounts.handles import handle_problem, normalize_handle
from fireside.accounts.models import ApiToken, Member
from fireside.accounts.queries import find_member_by_login
from fireside.core.exceptions import DomainError, ValidationFailed
from fireside.core.mail import send_mail_on_commit
from fireside.core.ratelimit import Limit, address_subject
from fireside.core.topics import parse_topics
from fireside.live.broadcast import broadcast_on_commit
from fireside.live.groups import member_group
from fireside.trust import actions as trust_actions

if TYPE_CHECKING:
    from fireside.staff.models import AccountSuspension

DISPLAY_NAME_MAX = 50
EMAIL_MAX = 254
BIO_MAX = 2000
INTERESTS_MAX = 10
TOKEN_NAME_MAX = 60
LIVE_TOKENS_MAX = 50
VERIFY_SALT = "fireside.accounts.verify_email"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    default_message = "That handle or email and password do not match."


# Shape checks shared by sign-up and profile edits ------------------------------------


def _display_name_problem(display_name: str) -> str | None:
    if not display_name:
        return "Enter the name people will see, such as “Ada Lovelace”."
    if len(display_name) > DISPLAY_NAME_MAX:
        return f"A display name can have at most {DISPLAY_NAME_MAX} characters."
    if any(
        unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in display_name
    ):
        return "A display name cannot contain control or invisible characters."
    return None


def _email_problem(email: str) -> str | None:
    if not email:
        return "Enter your email address."
    # The column holds 254 (PostgreSQL refuses longer); the validator allows up to 320.
    if len(email) > EMAIL_MAX:
        return f"An email address can have at most {EMAIL_MAX} characters."
    try:
        validate_email(email)
    except ValidationError:
        return "Enter a valid email address, such as ada@example.org."
    return None


def _password_problems(password: str, member: Member) -> list[str]:
    if not password:
        return ["Choose a password."]
    try:
        validate_password(password, user=member)
    except ValidationError as error:
        return list(error.messages)
    return []


def _raise_if(errors: dict[str, list[str]]) -> None:
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationFailed(errors)


# Sign-up and email verification -------------------------------------------------------


def sign_up_member(
    *, handle: str, email: str, password: str, display_name: str, address: str = ""
) -> Member:
    """Create a member and send the verification mail.

    Raises ValidationFailed naming every field with a problem, and RateLimited when the
    caller's network signed up too often (loopback is exempt in DEBUG).
    """
    handle = normalize_handle(handle)
    email = email.strip().lower()
    display_name = display_name.strip()
    candidate = Member(handle=handle, email=email, display_name=display_name)

    errors: dict[str, list[str]] = {
        "handle": [],
        "email": [],
        "password": [],
        "display_name": [],
    }
    if problem := handle_problem(handle):
        errors["handle"].append(problem)
    elif Member.objects.filter(handle=handle).exists():
        errors["handle"].append(f"The handle “{handle}” is taken. Choose another.")
    if problem := _email_problem(email):
        errors["email"].append(problem)
    elif Member.objects.filter(email__iexact=email).exists():
        errors["email"].append(
            "An account already uses this email address. Log in, or reset its password."
        )
    if problem := _display_name_problem(display_name):
        errors["display_name"].append(problem)
    errors["password"] = _password_problems(password, candidate)
    _raise_if(errors)

    limit = Limit.named("signup.address")
    subject = address_subject(address)
    if subject:
        limit.check(
            subject,
            "Too many accounts were created from your network. Try again {wait}.",
        )

    candidate.set_password(password)
    # Only the keyed hash of the network is kept, so a burst of sign-ups from one
    # network can be noticed (conversations/unfamiliar.py) without storing the address.
    candidate.signup_network = subject or ""
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        # Another sign-up took the handle or address between the check and the insert.
        raise ValidationFailed(
            {"handle": ["That handle or email address was just taken. Choose another."]}
        ) from None
    if subject:
        limit.hit(subject)
    _send_verification_mail(candidate)
    return candidate


def make_verification_token(member: Member) -> str:
    return signing.dumps(
        {"m": member.pk, "e": member.email}, salt=VERIFY_SALT, compress=True
    )


def _send_verification_mail(member: Member) -> None:
    path = f"/verify/{make_verification_token(member)}/"
    send_mail_on_commit(
        member.email,
        "accounts/mail/verify_email",
        {
            "display_name": member.display_name,
            "handle": member.handle,
            "link": f"{settings.SITE_URL}{path}",
            "days": settings.EMAIL_VERIFICATION_TIMEOUT // 86400,
        },
    )


def resend_verification_mail(member: Member, *, address: str = "") -> None:
    """Send MEMBER a fresh verification link, within the per-account mail limit."""
    if member.is_email_verified:
        raise DomainError(
            "Your email address is already verified.", code="already_verified"
        )
    _check_mail_limits(f"member:{member.pk}", address)
    _send_verification_mail(member)


def verify_email(token: str) -> Member:
    """Mark the email address in TOKEN as verified. A link works once, for the address it
    was sent to, within EMAIL_VERIFICATION_TIMEOUT."""
    wrong = "This verification link is wrong or incomplete. Check that you copied all of it."
    try:
        payload = signing.loads(
            token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT
        )
    except signing.SignatureExpired:
        raise ValidationFailed(
            {"token": ["This verification link has expired. Log in to get a new one."]},
            code="token_expired",
        ) from None
    except signing.BadSignature:
        raise ValidationFailed({"token": [wrong]}, code="token_invalid") from None
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(pk=payload.get("m")).first()
        if member is None or not member.is_active:
            raise ValidationFailed({"token": [wrong]}, code="token_invalid")
        if member.email != payload.get("e"):
            raise ValidationFailed(
                {"token": ["This link was sent to an earlier email address of yours."]},
                code="token_invalid",
            )
        if member.is_email_verified:
            raise ValidationFailed(
                {
                    "token": [
                        "This link was already used: your email address is verified."
                    ]
                },
                code="token_used",
            )
        member.email_verified_at = timezone.now()
        member.save(update_fields=["email_verified_at"])
        # A verified address is what level 1 waits for.
        trust_actions.recompute_member_on_commit(member)
    return member


# Log-in and throttling ----------------------------------------------------------------


def _check_mail_limits(account_key: str, address: str) -> None:
    message = "Too many mails were asked for. Try again {wait}."
    account = Limit.named("mail.account")
    account.check(account_key, message)
    subject = address_subject(address)
    if subject:
        by_address = Limit.named("mail.address")
        by_address.check(subject, message)
        by_address.hit(subject)
    account.hit(account_key)


def log_in(login: str, password: str, *, address: str = "") -> Member:
    """Check LOGIN (handle or email) and PASSWORD and return the member.

    Failed attempts count per account and per network address; past either limit every
    attempt is refused (even a right one) until the window ends, so guessing stays slow.
    """
    login = login.strip()
    if not login or not password:
        _raise_if(
            {
                "login": [] if login else ["Enter your handle or email address."],
                "password": [] if password else ["Enter your password."],
            }
        )
    known = find_member_by_login(login)
    account_key = f"member:{known.pk}" if known else f"login:{login.casefold()}"
    account_limit = Limit.named("login.account")
    account_limit.check(
        account_key, "Too many failed log-ins for this account. Try again {wait}."
    )
    subject = address_subject(address)
    address_limit = Limit.named("login.address")
    if subject:
        address_limit.check(
            subject, "Too many failed log-ins from your network. Try again {wait}."
        )
    member = authenticate(None, username=login, password=password)
    if not isinstance(member, Member):
        account_limit.hit(account_key)
        if subject:
            address_limit.hit(subject)
        raise InvalidCredentials()
    account_limit.reset(account_key)
    return member


# API tokens ---------------------------------------------------------------------------


def issue_api_token(member: Member, *, name: str) -> tuple[ApiToken, str]:
    """Create a token for MEMBER and return it with its secret, which is shown only now."""
    name = name.strip()
    if not name:
        raise ValidationFailed(
            {"name": ["Name the token, for example “phone” or “backup script”."]}
        )
    if len(name) > TOKEN_NAME_MAX:
        raise ValidationFailed(
            {"name": [f"A token name can have at most {TOKEN_NAME_MAX} characters."]}
        )
    # PostgreSQL refuses NUL in text; a name is one line anyway.
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValidationFailed(
            {"name": ["A token name cannot contain control characters."]}
        )
    if ApiToken.objects.owned_by(member).live().count() >= LIVE_TOKENS_MAX:
        raise ValidationFailed(
            {
                "name": [
                    f"You have {LIVE_TOKENS_MAX} tokens already. Revoke one you no longer use."
                ]
            }
        )
    secret = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        member=member, name=name, key_hash=ApiToken.hash_secret(secret), hint=secret[:7]
    )
    return token, secret


def revoke_api_token(token: ApiToken, *, by: Member) -> None:
    """Revoke TOKEN; only its owner may (callers fetch it through owned_by)."""
    if token.member_id != by.pk:
        raise DomainError("That token is not yours.", code="forbidden")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        broadcast_on_commit(
            member_group(by.pk), {"type": "auth.token_revoked", "token": token.pk}
        )


def use_api_token(secret: str) -> ApiToken | None:
    """Return the live token SECRET names, with its active member, noting when it was used."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.live()
        .select_related("member")
        .filter(key_hash=ApiToken.hash_secret(secret), member__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Written at most every few minutes so that reading the API does not mean writing.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def member_for_token(secret: str) -> Member | None:
    """Return the active member a live token SECRET belongs to (see use_api_token)."""
    token = use_api_token(secret)
    return token.member if token is not None else None


# Passwords ----------------------------------------------------------------------------


def _set_new_password(member: Member, password: str, field: str) -> None:
    _raise_if({field: _password_problems(password, member)})
    member.set_password(password)


def _end_live_sessions(member: Member) -> None:
    broadcast_on_commit(member_group(member.pk), {"type": "auth.password_changed"})


def change_password(
    member: Member, *, current_password: str, new_password: str
) -> None:
    """Replace MEMBER's password. Their other sessions end (Django ties a session to the
    password hash) and open sockets close; API tokens stay, as they were granted separately."""
    if not member.check_password(current_password):
        raise ValidationFailed(
            {"current_password": ["Your current password is not right."]}
        )
    _set_new_password(member, new_password, "new_password")
    member.save(update_fields=["password"])
    _end_live_sessions(member)


def request_password_reset(email: str, *, address: str = "") -> None:
    """Mail a reset link if an account uses EMAIL. Says nothing about whether one does:
    the limits count the address asked for, known or not."""
    email = email.strip().lower()
    if problem := _email_problem(email):
        raise ValidationFailed({"email": [problem]})
    _check_mail_limits(f"email:{email}", address)
    member = Member.objects.active().filter(email__iexact=email).first()
    if member is None:
        return
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = default_token_generator.make_token(member)
    send_mail_on_commit(
        member.email,
        "accounts/mail/reset_password",
        {
            "display_name": member.display_name,
            "handle": member.handle,
            "link": f"{settings.SITE_URL}/reset/{uid}/{token}/",
            "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        },
    )


BAD_RESET_LINK = (
    "This reset link is wrong, has expired or was already used. Ask for a new one."
)


def member_for_reset(uid: str, token: str) -> Member:
    """Return the member a reset link is for, or raise ValidationFailed on `token`."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        raise ValidationFailed(
            {"token": [BAD_RESET_LINK]}, code="token_invalid"
        ) from None
    member = Member.objects.active().filter(pk=pk).first()
    if member is None or not default_token_generator.check_token(member, token):
        raise ValidationFailed({"token": [BAD_RESET_LINK]}, code="token_invalid")
    return member


def reset_password(uid: str, token: str, *, new_password: str) -> Member:
    """Set a new password from a reset link. The link stops working once used, because the
    token covers the old password hash. It also proves the mailbox, so the address counts
    as verified."""
    with transaction.atomic():
        member = member_for_reset(uid, token)
        _set_new_password(member, new_password, "new_password")
        fields = ["password"]
        if member.email_verified_at is None:
            member.email_verified_at = timezone.now()
            fields.append("email_verified_at")
        member.save(update_fields=fields)
    Limit.named("login.account").reset(f"member:{member.pk}")
    _end_live_sessions(member)
    return member


# Site-wide suspension (the instance's administrators) ---------------------------------


def _delete_sessions_of(member: Member) -> int:
    """Delete every stored session logged in as MEMBER; return how many.

    A database-backed session store is scanned (suspensions are rare; the scan reads only
    unexpired rows). Stores that cannot be listed (the cache) are left to Django: an
    inactive member's session no longer authenticates anyway."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    model = store.get_model_class()
    mine = []
    rows = model.objects.filter(expire_date__gt=timezone.now()).values_list(
        "session_key", "session_data"
    )
    for key, data in rows.iterator(chunk_size=2000):
        if store().decode(data).get(SESSION_KEY) == str(member.pk):
            mine.append(key)
    model.objects.filter(session_key__in=mine).delete()
    return len(mine)


def suspend_account(member: Member, *, by: Member, reason: str) -> "AccountSuspension":
    """Suspend MEMBER site-wide for BY (staff), recording REASON; return the suspension.

    The account cannot log in any more (is_active off), its sessions are deleted, its API
    tokens revoked and its open sockets closed. Its conversations are left as they are:
    it cannot reach them. Raises NotFound unless BY is staff, NotAllowed for oneself or
    another staff member (unless BY is a superuser), ValidationFailed for a missing or
    overlong reason or an account already suspended."""
    from fireside.staff import permissions as staff_permissions
    from fireside.staff.models import AccountSuspension

    reason = staff_permissions.check_suspend_account(by, member, reason)
    now = timezone.now()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if not member.is_active:
            raise ValidationFailed(
                {"handle": [f"@{member.handle} is already suspended."]},
                code="already_suspended",
            )
        member.is_active = False
        member.save(update_fields=["is_active"])
        suspension = AccountSuspension.objects.create(
            member=member, by=by, reason=reason, at=now
        )
        revoked = list(
            ApiToken.objects.owned_by(member).live().values_list("pk", flat=True)
        )
        ApiToken.objects.filter(pk__in=revoked).update(revoked_at=now)
        _delete_sessions_of(member)
        # A suspended lead cannot lead: their communities pass to a successor.
        from fireside.communities.actions import pass_on_leads_of_suspended

        pass_on_leads_of_suspended(member)
        broadcast_on_commit(member_group(member.pk), {"type": "auth.suspended"})
    return suspension


def restore_account(member: Member, *, by: Member) -> "AccountSuspension":
    """Lift MEMBER's current site-wide suspension for BY (staff): they can log in again.
    Tokens revoked by the suspension stay revoked; the member issues new ones. Raises
    NotFound unless BY is staff, ValidationFailed when MEMBER is not suspended."""
    from fireside.staff import permissions as staff_permissions
    from fireside.staff.models import AccountSuspension

    staff_permissions.check_staff(by)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        suspension = AccountSuspension.objects.current().filter(member=member).first()
        if suspension is None and member.is_active:
            raise ValidationFailed(
                {"handle": [f"@{member.handle} is not suspended."]},
                code="not_suspended",
            )
        now = timezone.now()
        if suspension is None:
            # Deactivated some other way (the Django admin): record the lifting too.
            suspension = AccountSuspension.objects.create(
                member=member,
                by=None,
                reason="Deactivated outside the staff area.",
                at=now,
            )
        suspension.lifted_at = now
        suspension.lifted_by = by
        suspension.save(update_fields=["lifted_at", "lifted_by"])
        member.is_active = True
        member.save(update_fields=["is_active"])
    return suspension


# Profiles -----------------------------------------------------------------------------


def update_profile(
    member: Member,
    *,
    display_name: str | None = None,
    bio: str | None = None,
    interests: str | list[str] | None = None,
) -> Member:
    """Change the fields given (None leaves a field as it is)."""
    errors: dict[str, list[str]] = {}
    fields: list[str] = []
    if display_name is not None:
        display_name = display_name.strip()
        if problem := _display_name_problem(display_name):
            errors["display_name"] = [problem]
        member.display_name = display_name
        fields.append("display_name")
    if bio is not None:
        bio = bio.strip()
        if len(bio) > BIO_MAX:
            errors["bio"] = [
                f"A bio can have at most {BIO_MAX} characters; this one has {len(bio)}."
            ]
        elif "\x00" in bio:  # PostgreSQL refuses NUL in text
            errors["bio"] = ["A bio cannot contain the NUL character."]
        member.bio = bio
        fields.append("bio")
    if interests is not None:
        topics, problems = parse_topics(interests, limit=INTERESTS_MAX)
        if problems:
            errors["interests"] = problems
        member.interests = topics
        fields.append("interests")
    if errors:
        member.refresh_from_db(fields=fields)
        raise ValidationFailed(errors)
    if fields:
        member.save(update_fields=fields)
    return member


def set_who_may_ask(member: Member, *, rule: str) -> Member:
    """Choose who may ask MEMBER for a conversation (a Member.WhoMayAsk value)."""
    if rule not in Member.WhoMayAsk.values:
        raise ValidationFailed({"who_may_ask": ["Choose one of the options."]})
    member.who_may_ask = rule
    member.save(update_fields=["who_may_ask"])
    return member

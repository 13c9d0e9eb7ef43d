"""Who may use the staff area: the instance's administrators (is_staff). Everyone else
gets 404, so the area does not announce itself."""

from typing import Any

from fireside.core.exceptions import NotAllowed, NotFound, ValidationFailed

#: The longest reason a suspension may give, in characters.
REASON_MAX_LENGTH = 1000


def is_staff(member: Any) -> bool:
    """Whether MEMBER is one of the instance's administrators."""
    return bool(
        member is not None
        and member.is_authenticated
        and member.is_active
        and member.is_staff
    )


def check_staff(member: Any) -> None:
    """Raise NotFound unless MEMBER is one of the instance's administrators."""
    if not is_staff(member):
        raise NotFound()


def can_suspend_account(by: Any, member: Any) -> bool:
    """Whether BY may suspend MEMBER: staff may suspend members; suspending another
    staff member takes a superuser; nobody suspends themselves."""
    if not is_staff(by) or by.pk == member.pk:
        return False
    return not member.is_staff or bool(by.is_superuser)


def check_suspend_account(by: Any, member: Any, reason: str) -> str:
    """Raise unless BY may suspend MEMBER with REASON; return the reason, trimmed.

    NotFound for non-staff, NotAllowed for oneself or a staff member (without being a
    superuser), ValidationFailed for a missing or overlong reason."""
    check_staff(by)
    if by.pk == member.pk:
        raise NotAllowed("You cannot suspend your own account.", code="own_account")
    if member.is_staff and not by.is_superuser:
        raise NotAllowed(
            "Only a superuser can suspend another administrator.",
            code="staff_account",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            {
                "reason": [
                    "Say why the account is suspended; it is kept with the record."
                ]
            }
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {
                "reason": [
                    f"Keep the reason to {REASON_MAX_LENGTH:,} characters "
                    f"(this one has {len(reason):,})."
                ]
            }
        )
    if "\x00" in reason:
        raise ValidationFailed({"reason": ["The reason cannot contain NUL."]})
    return reason

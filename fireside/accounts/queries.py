from fireside.accounts.handles import normalize_handle
from fireside.accounts.models import Member


def find_member_by_login(login: str) -> Member | None:
    """Return the member whose handle or email LOGIN names, or None."""
    login = login.strip()
    # No handle or address holds NUL, and PostgreSQL refuses to compare text with one.
    if "\x00" in login:
        return None
    if "@" in login.lstrip("@"):
        return Member.objects.filter(email__iexact=login).first()
    return Member.objects.filter(handle=normalize_handle(login)).first()

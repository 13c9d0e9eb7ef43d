"""Channel-layer group names, one function per scope, so no other module spells them."""


def member_group(member_id: int) -> str:
    """Every open socket of one member."""
    return f"member.{member_id}"


def session_group(session_key_hash: str) -> str:
    """The sockets opened from one browser session (closed when it logs out)."""
    return f"session.{session_key_hash}"

"""Handles: the @name a member is known by. One normal form makes look-alikes collide:
NFKC folds compatibility characters (full-width letters, ligatures) and casefold folds case,
so "Ada", "ＡＤＡ" and "ada" are one handle. What remains must be a-z, 0-9 and _."""

import re
import unicodedata

HANDLE_PATTERN = re.compile(r"[a-z0-9_]{3,30}")
_EDGES = re.compile(r"^[\s@]+|\s+$")

# Names that would impersonate the instance, collide with our URLs, or confuse people.
RESERVED_HANDLES = frozenset(
    {
        "about", "abuse", "account", "accounts", "admin", "administrator", "all", "anonymous",
        "api", "app", "auth", "billing", "bot", "cohort", "communities", "community",
        "contact", "conversations", "deleted", "dialogue", "dialogues", "everyone", "feed",
        "fireside", "help", "here", "home", "hostmaster", "inbox", "info", "legal", "login",
        "logout", "me", "member", "members", "mod", "moderator", "moderators", "mods",
        "news", "noreply", "no_reply", "null", "official", "operator", "owner", "password",
        "postmaster", "posts", "privacy", "reset", "root", "security", "settings", "signup",
        "staff", "static", "status", "support", "sysadmin", "system", "team", "terms",
        "undefined", "verify", "webmaster", "well_known", "ws", "www",
    }
)  # fmt: skip


def normalize_handle(raw: str) -> str:
    """Return the one form of RAW that is stored and compared (a leading @ is dropped)."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    text = unicodedata.normalize("NFKC", text)
    # Trimmed after folding, and every leading @ or space at once, so that the result is
    # its own normal form: NFKC can turn a character into a space ("´" → " ́").
    return _EDGES.sub("", text)


def handle_problem(handle: str) -> str | None:
    """Say what is wrong with a normalized HANDLE, or None when it may be used."""
    if len(handle) < 3:
        return "A handle needs at least 3 characters."
    if len(handle) > 30:
        return "A handle can have at most 30 characters."
    if not HANDLE_PATTERN.fullmatch(handle):
        return "A handle may use only the letters a–z, digits 0–9 and underscores."
    if handle in RESERVED_HANDLES or handle.strip("_") in RESERVED_HANDLES:
        return f"“{handle}” is reserved. Choose another handle."
    return None

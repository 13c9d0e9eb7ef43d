"""Limits by trust level, and links by trust level.

Every limited action calls `spend(member, action)` once, after its input was validated and
just before it writes (create_post, create_community), or at the point the lead chose in
request_conversation: a refusal by the permission check that follows still counts there,
which also slows a sender who keeps asking people who do not take requests. `refund` gives
a use back when an action fails after spending.

Counters are a true sliding window in the Django cache (Redis when REDIS_URL is set, so a
limit holds across app processes): an action allowed N times per window has N slot keys
per member, each holding the time of one use and expiring one window later. A use takes a
free slot with `cache.add`, which is atomic in Redis and locmem, so two processes can never
take the same slot. The table lives in settings.FIRESIDE_LEVEL_LIMITS.
"""

import math
import re
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from markdown_it import MarkdownIt

from fireside.core.exceptions import RateLimited, ValidationFailed
from fireside.core.timestrings import wait_phrase

#: How each limited action is named in a sentence: (one, many).
ACTION_WORDS = {
    "conversation_requests": ("conversation request", "conversation requests"),
    "posts": ("post", "posts"),
    "communities_created": ("community", "communities"),
}
VERBS = {
    "conversation_requests": "send",
    "posts": "open",
    "communities_created": "create",
}


def _window_phrase(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "24 hours" if days == 1 else f"{days} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{seconds} seconds"


def limit_for(member: Any, action: str) -> tuple[int, int]:
    """Return (allowed uses, window in seconds) of ACTION at MEMBER's trust level."""
    entry: dict[str, Any] = settings.FIRESIDE_LEVEL_LIMITS[action]
    by_level: dict[int, int] = entry["by_level"]
    level = int(member.trust_level)
    count = by_level.get(level, by_level[max(by_level)])
    return int(count), int(entry["window"])


def _slot_keys(member: Any, action: str, count: int) -> list[str]:
    return [f"trust-limit:{action}:{member.pk}:{slot}" for slot in range(count)]


def _message(action: str, count: int, window: int, wait: int) -> str:
    one, many = ACTION_WORDS.get(action, (action, action))
    verb = VERBS.get(action, "do")
    return (
        f"At your trust level you can {verb} {count} {one if count == 1 else many} "
        f"in {_window_phrase(window)}. You can {verb} another {wait_phrase(wait)}."
    )


def spend(member: Any, action: str) -> None:
    """Count one use of ACTION by MEMBER, or raise RateLimited when none is left.

    The refusal says what the limit is at the member's level and when they may try
    again; its retry_after is the seconds until the oldest use leaves the window."""
    count, window = limit_for(member, action)
    if count <= 0:
        raise RateLimited(
            _message(action, 0, window, window),
            retry_after=window,
            code="limit_reached",
        )
    keys = _slot_keys(member, action, count)
    now = time.time()
    taken: dict[str, Any] = cache.get_many(keys)
    for key in keys:
        stamp = taken.get(key)
        if stamp is not None and float(stamp) + window > now:
            continue
        if stamp is not None:
            # The cache still holds a use older than the window (its clock and ours
            # differ by rounding): free the slot, then race for it like any other.
            cache.delete(key)
        if cache.add(key, now, timeout=math.ceil(window)):
            return
    stamps = [float(v) for v in cache.get_many(keys).values()] or [now]
    wait = math.ceil(min(stamps) + window - now)
    raise RateLimited(
        _message(action, count, window, max(1, wait)),
        retry_after=wait,
        code="limit_reached",
    )


def refund(member: Any, action: str) -> None:
    """Give back MEMBER's most recent use of ACTION (the action failed after spending)."""
    count, _ = limit_for(member, action)
    taken = cache.get_many(_slot_keys(member, action, count))
    if taken:
        newest = max(taken, key=lambda key: float(taken[key]))
        cache.delete(newest)


def remaining(member: Any, action: str) -> int:
    """How many uses of ACTION MEMBER has left in the current window."""
    count, window = limit_for(member, action)
    now = time.time()
    taken = cache.get_many(_slot_keys(member, action, count)).values()
    return count - sum(1 for stamp in taken if float(stamp) + window > now)


# Links ---------------------------------------------------------------------------------

#: Top-level domains that make a bare "word.tld" a link. Anything followed by a path
#: ("name.xyz/…") counts whatever its ending; "main.py" or "e.g." alone do not.
COMMON_TLDS = (
    "com|org|net|io|co|info|biz|me|app|dev|xyz|site|online|link|ly|gg|tv|ru|cn|de|uk"
    "|fr|nl|eu|us|ca|au|in|br|jp|it|es|pl|ch|se|no|top|club|shop|store|live|click|to"
)
_SCHEME = r"(?:https?|ftp)://\S+|(?:mailto|tel|data|javascript):\S+|www\.[^\s.]+\.\S+"
_DOMAIN = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_BARE = (
    rf"(?<![@\w.-])(?:{_DOMAIN}\.)+(?:(?:{COMMON_TLDS})\b(?![.\w-]*@)|[a-z]{{2,24}}/\S)"
)
LINK_PATTERN = re.compile(rf"{_SCHEME}|{_BARE}", re.IGNORECASE)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _markdown_links(text: str) -> bool:
    # Every Markdown link and autolink needs one of these; most messages have neither,
    # and parsing is most of this check's cost on the send path.
    if "[" not in text and "<" not in text:
        return False
    for token in _parser().parse(text):
        for child in token.children or []:
            if child.type == "link_open":
                return True
    return False


def contains_link(text: str) -> bool:
    """Whether TEXT holds a link: Markdown links and autolinks, URLs, bare domains."""
    return bool(LINK_PATTERN.search(text)) or _markdown_links(text)


def links_allowed_at(level: int) -> bool:
    return int(level) >= int(settings.FIRESIDE_LINKS_MIN_LEVEL)


def check_links(member: Any, text: str, *, field: str = "body") -> None:
    """Raise ValidationFailed on FIELD when MEMBER's trust level may not post links and
    TEXT contains one."""
    if links_allowed_at(member.trust_level) or not contains_link(text):
        return
    raise ValidationFailed(
        {
            field: [
                "New accounts cannot include links yet. Remove the link, or write the "
                "address in words; links open up once your account has a verified "
                "email and a day behind it."
            ]
        },
        code="links_not_allowed",
    )


def check_post_links(member: Any, community: Any, *, title: str, body: str) -> None:
    """Raise ValidationFailed on each field of a post that holds a link MEMBER may not
    post in COMMUNITY (see standing.Standing.may_post_links)."""
    fields = {"title": title, "body": body}
    with_links = [name for name, text in fields.items() if text and contains_link(text)]
    if not with_links:
        return
    from fireside.trust.standing import standing_in

    if standing_in(member, community).may_post_links:
        return
    sentence = (
        "Links open up once your account has a verified email and a day behind it, or "
        "once you are a regular in this community. Remove the link, or write the "
        "address in words."
    )
    raise ValidationFailed(
        {name: [sentence] for name in with_links}, code="links_not_allowed"
    )

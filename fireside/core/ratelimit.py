"""Fixed-window counters in the cache. With REDIS_URL the cache is Redis, so a limit holds
across every app process; without it each process counts on its own (one process serves)."""

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from fireside.core.exceptions import RateLimited
from fireside.core.timestrings import wait_phrase


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window: int  # seconds

    @classmethod
    def named(cls, name: str) -> "Limit":
        count, window = settings.FIRESIDE_RATE_LIMITS[name]
        return cls(name, count, window)

    def _window_start(self) -> int:
        return int(time.time()) // self.window * self.window

    def _key(self, subject: str) -> str:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        return f"rl:{self.name}:{digest}:{self._window_start()}"

    def retry_after(self, subject: str) -> int:
        """Return the seconds until SUBJECT may act again, or 0 when it may act now."""
        if cache.get(self._key(subject), 0) < self.count:
            return 0
        return max(1, self._window_start() + self.window - int(time.time()))

    def hit(self, subject: str) -> None:
        """Count one use by SUBJECT."""
        count_key = self._key(subject)
        if cache.add(count_key, 1, timeout=self.window + 5):
            return
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.add(count_key, 1, timeout=self.window + 5)

    def reset(self, subject: str) -> None:
        cache.delete(self._key(subject))

    def check(self, subject: str, message: str) -> None:
        """Raise RateLimited with MESSAGE (which may use {wait}) when SUBJECT is over."""
        wait = self.retry_after(subject)
        if wait:
            raise RateLimited(message.format(wait=wait_phrase(wait)), retry_after=wait)


def client_address(request: HttpRequest) -> str:
    """The caller's network address; behind a TLS proxy, the proxy's forwarded one."""
    address = str(request.META.get("REMOTE_ADDR") or "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    return address


def address_subject(address: str) -> str | None:
    """A keyed hash of ADDRESS for per-address counters; None where they do not apply.

    Addresses are never stored in the clear. In DEBUG, loopback is exempt so that a developer
    (or a test) on the same machine is not locked out of their own instance.
    """
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if settings.DEBUG and parsed.is_loopback:
        return None
    if parsed.version == 6:
        # One person usually holds a whole /64.
        parsed = ipaddress.ip_network(f"{address}/64", strict=False).network_address
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, str(parsed).encode(), hashlib.sha256).hexdigest()

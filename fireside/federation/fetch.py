"""Fetching JSON from other servers without becoming a proxy into our own network (SSRF).

fetch_json refuses: hosts of a blocked instance (blocks.instance_blocked), anything but
https (plain http only under the test-only setting FEDERATION_ALLOW_PRIVATE_ADDRESSES),
URLs with credentials, and hosts that resolve to any private, loopback, link-local,
multicast, reserved, shared or unspecified address, IPv4 or IPv6 (IPv4-mapped, 6to4 and NAT64 forms are checked by the IPv4 address inside). It then
connects to the very address it checked (no second DNS lookup to rebind), with the host
name kept for TLS verification, SNI and the Host header. At most MAX_REDIRECTS redirects,
each checked again; at most MAX_BYTES of body, read before a deadline; a JSON content type.

Certificates are verified against the system store (ssl.create_default_context, which
honours SSL_CERT_FILE, e.g. for a test certificate authority)."""

import http.client
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from fireside.federation import blocks, conf

#: Largest response body accepted, in bytes.
MAX_BYTES = 1024 * 1024
#: Redirects followed before giving up.
MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
ACCEPT = f"{conf.ACTIVITY_JSON}, {conf.LD_JSON}, application/json;q=0.5"
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")

#: Signs an outgoing request: (method, url, headers, body) -> headers to send, e.g.
#: functools.partial(signatures.sign_request, key_id=..., private_key_pem=...).
Signer = Callable[[str, str, dict[str, str], bytes], dict[str, str]]


class FetchError(Exception):
    """A fetch that did not give us a JSON object; `code` says why, for machines."""

    code = "fetch_failed"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class UnsafeURL(FetchError):
    """Refused before connecting: scheme, credentials or a non-public address."""

    code = "unsafe_url"


class Blocked(FetchError):
    """Refused before connecting: the administrators blocked the host's instance."""

    code = "instance_blocked"


class TooLarge(FetchError):
    code = "too_large"


class NotJSON(FetchError):
    code = "not_json"


def _allow_private() -> bool:
    return bool(getattr(settings, "FEDERATION_ALLOW_PRIVATE_ADDRESSES", False))


def address_problem(address: str) -> str | None:
    """Why ADDRESS (an IP literal) may not be fetched from, or None when it is public."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        address.split("%", 1)[0]  # an IPv6 zone index says nothing about the address
    )
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("private", ip.is_private),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    )
    for name, matches in checks:
        if matches:
            return f"{ip} is a {name} address"
    return None


def _check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, request target) of URL, or UnsafeURL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeURL(f"Not a valid URL: {url!r}.") from error
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if _allow_private() else ("https",)
    if scheme not in allowed:
        raise UnsafeURL(f"Only https URLs are fetched, not {url!r}.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("URLs with credentials are not fetched.")
    host = parts.hostname
    if not host:
        raise UnsafeURL(f"The URL {url!r} names no host.")
    if blocks.instance_blocked(host):
        raise Blocked(f"{host} is blocked: this instance does not federate with it.")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _resolve(host: str, port: int) -> str:
    """The address to connect to for HOST: every address it resolves to must be public
    (unless the test-only setting allows otherwise); the first one is used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"The host {host} could not be resolved.") from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(f"The host {host} has no address.")
    if not _allow_private():
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise UnsafeURL(f"Refusing to fetch from {host}: {problem}.")
    return addresses[0]


def _connection(
    scheme: str, host: str, port: int, address: str, timeout: float
) -> http.client.HTTPConnection:
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def pinned(
        _where: tuple[str, int], timeout: float, source: tuple[str, int] | None = None
    ) -> socket.socket:
        # Connect to the address we checked; TLS still verifies the host name.
        return socket.create_connection((address, port), timeout, source)

    connection._create_connection = pinned  # type: ignore[attr-defined]
    return connection


def _host_header(host: str, scheme: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    return shown if port == default else f"{shown}:{port}"


def _read_body(response: http.client.HTTPResponse, deadline: float) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > MAX_BYTES:
        raise TooLarge(f"The response is larger than {MAX_BYTES} bytes.")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("The server took too long to answer.")
        chunk = response.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BYTES:
            raise TooLarge(f"The response is larger than {MAX_BYTES} bytes.")
        chunks.append(chunk)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def fetch_json(
    url: str, *, signer: Signer | None = None, timeout: float = 10
) -> dict[str, Any]:
    """GET URL and return its JSON object, following up to MAX_REDIRECTS safe redirects.
    SIGNER signs each request (redirect targets included). TIMEOUT bounds each network
    operation and, doubled, the whole fetch. Raises FetchError (or a subclass)."""
    deadline = time.monotonic() + 2 * timeout
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, target = _check_url(url)
        address = _resolve(host, port)
        headers = {
            "Host": _host_header(host, scheme, port),
            "Date": formatdate(usegmt=True),
            "Accept": ACCEPT,
            "User-Agent": f"Fireside/{conf.software_version()} (+{settings.SITE_URL}/)",
        }
        if signer is not None:
            headers = signer("GET", url, headers, b"")
        connection = _connection(scheme, host, port, address, timeout)
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.getheader("Location")
                if not location:
                    raise FetchError("A redirect without a Location.", status=status)
                url = urljoin(url, location)
                continue
            if status != 200:
                raise FetchError(f"The server answered {status}.", status=status)
            content_type = response.getheader("Content-Type", "")
            if not _is_json(content_type):
                raise NotJSON(f"Expected JSON, got {content_type or 'no type'}.")
            body = _read_body(response, deadline)
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"Could not fetch {url}: {error}") from error
        finally:
            connection.close()
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise NotJSON("The response is not valid JSON.") from error
        if not isinstance(data, dict):
            raise NotJSON("The response is JSON but not an object.")
        return data
    raise FetchError(f"More than {MAX_REDIRECTS} redirects.")


def post_json(
    url: str, body: bytes, *, signer: Signer | None = None, timeout: float = 10
) -> int:
    """POST BODY (an activity, already JSON) to URL with the same refusals and address
    pinning as fetch_json; redirects are not followed. Returns the 2xx status; raises
    FetchError (with `status` when the server answered) otherwise."""
    scheme, host, port, target = _check_url(url)
    address = _resolve(host, port)
    headers = {
        "Host": _host_header(host, scheme, port),
        "Date": formatdate(usegmt=True),
        "Content-Type": conf.LD_JSON,
        "Accept": ACCEPT,
        "User-Agent": f"Fireside/{conf.software_version()} (+{settings.SITE_URL}/)",
    }
    if signer is not None:
        headers = signer("POST", url, headers, body)
    connection = _connection(scheme, host, port, address, timeout)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        response.read(64 * 1024)  # a little of the answer, to end the exchange cleanly
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"Could not post to {url}: {error}") from error
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise FetchError(f"The server answered {status}.", status=status)
    return status

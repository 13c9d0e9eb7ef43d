"""Finding a person on another server by their handle (@name@server), for a member who
wants to ask them for a conversation: WebFinger, then their actor, then their local
stand-in (members.py).

WebFinger is asked over https. Only under the test-only setting
FEDERATION_ALLOW_PRIVATE_ADDRESSES (which lets tests reach a peer on 127.0.0.1), and only
when https could not connect, is it asked again over plain http, which the unit tests'
peer speaks. Server names in other scripts are looked up in their punycode form."""

import re
from urllib.parse import quote, urlsplit

from django.conf import settings

from fireside.accounts.models import Member
from fireside.core.exceptions import NotFound, ValidationFailed
from fireside.federation import blocks, conf
from fireside.federation.fetch import FetchError, fetch_json
from fireside.federation.members import member_for_actor
from fireside.federation.remote import get_actor

#: name@host[:port]: the name as servers spell it, a host name or an IPv4 address.
_ADDRESS = re.compile(
    r"(?P<name>[A-Za-z0-9_.~+-]{1,200})@(?P<host>[a-z0-9.-]{1,253}(?::[0-9]{1,5})?)"
)
ACTIVITY_TYPES = {conf.ACTIVITY_JSON, "application/ld+json"}


class RemoteNotFound(NotFound):
    """Nobody answers to the handle (or their server does not)."""

    code = "remote_not_found"

    def __init__(self, message: str) -> None:
        self.errors = {"to": [message]}
        super().__init__(message)


def looks_remote(handle: str) -> bool:
    """Whether HANDLE (as typed) names someone on a server: name@server."""
    return "@" in handle.strip().lstrip("@")


def _refused(message: str, code: str) -> ValidationFailed:
    return ValidationFailed({"to": [message]}, code=code)


def _ascii_host(host: str) -> str:
    """HOST with a name in another script in its DNS form (punycode), as servers and
    WebFinger spell it; unchanged when it cannot be encoded (then refused below)."""
    name, colon, port = host.lower().partition(":")
    try:
        return name.encode("idna").decode("ascii") + colon + port
    except UnicodeError:
        return host.lower()


def _parse(raw: str) -> tuple[str, str]:
    name, _, host = raw.strip().removeprefix("acct:").lstrip("@").rpartition("@")
    found = _ADDRESS.fullmatch(f"{name}@{_ascii_host(host)}")
    if found is None or not found["host"].split(":")[0].strip(".-"):
        raise _refused(
            "Write a handle on another server as @name@server, e.g. "
            "@sam@social.example.",
            "malformed_handle",
        )
    return found["name"], found["host"].lower()


def _self_link(document: dict[str, object]) -> str | None:
    links = document.get("links")
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get("rel") != "self":
            continue
        media = str(link.get("type", "")).split(";", 1)[0].strip().lower()
        href = link.get("href")
        if media in ACTIVITY_TYPES and isinstance(href, str):
            return href
    return None


def _webfinger(name: str, host: str) -> str:
    """The actor id WebFinger gives for name@host."""
    resource = quote(f"acct:{name}@{host}", safe=":@")
    path = f"/.well-known/webfinger?resource={resource}"
    who = f"@{name}@{host}"
    try:
        try:
            document = fetch_json(f"https://{host}{path}")
        except FetchError as error:
            # Plain http only for test peers on loopback, and only when https failed
            # to connect at all (an https answer, even an error, is the answer).
            allow_http = getattr(settings, "FEDERATION_ALLOW_PRIVATE_ADDRESSES", False)
            if not allow_http or error.status is not None:
                raise
            document = fetch_json(f"http://{host}{path}")
    except FetchError as error:
        if error.status == 404:
            raise RemoteNotFound(f"{host} has nobody called {who}.") from error
        raise RemoteNotFound(
            f"Could not reach {host} to find {who}. Check the handle, or try again "
            "later."
        ) from error
    actor_id = _self_link(document)
    if actor_id is None:
        raise RemoteNotFound(f"{host} does not say where {who} can be reached.")
    return actor_id


def resolve_handle(raw: str) -> Member:
    """The member RAW names, for someone on another server given as @name@server (or
    name@server): their stand-in, found by WebFinger and their actor document on first
    use. A handle at our own domain is our own member.

    Raises ValidationFailed (field `to`) when federation is off, the handle is
    malformed or the server is blocked, and RemoteNotFound when nobody answers."""
    typed = raw.strip().removeprefix("acct:").lstrip("@")
    name, host = _parse(typed)
    if host == conf.domain() and conf.domain():
        local = Member.objects.visible_to(None).local().filter(handle=name.lower())
        member = local.first()
        if member is None:
            raise RemoteNotFound(f"There is no member @{name[:30]}.")
        return member
    if not conf.enabled():
        raise _refused("This server does not talk to other servers.", "federation_off")
    hostname = urlsplit(f"//{host}").hostname or host
    if blocks.instance_blocked(hostname):
        raise _refused(
            f"This server does not talk with {hostname}.", "instance_blocked"
        )
    who = f"@{name}@{host}"
    # Someone already known here: their stand-in, without asking their server again.
    known = (
        Member.objects.filter(is_remote=True, handle=typed.lower()).first()
        or Member.objects.filter(
            is_remote=True,
            remote_actor__preferred_username__iexact=name,
            remote_actor__domain=hostname,
        ).first()
    )
    if known is not None:
        return _usable(known, who)
    actor_id = _webfinger(name, host)
    if blocks.instance_blocked(actor_id):
        raise _refused(
            f"This server does not talk with {blocks.domain_of(actor_id)}.",
            "instance_blocked",
        )
    actor = get_actor(actor_id)
    if actor is None:
        raise RemoteNotFound(f"Could not read the profile of {who}.")
    return _usable(member_for_actor(actor), who)


def _usable(member: Member, who: str) -> Member:
    if not member.is_active:
        raise RemoteNotFound(f"{who} no longer exists.")
    return member

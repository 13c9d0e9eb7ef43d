"""Reading ActivityStreams documents, in one place: ids of values that may be links or
embedded objects, origins, addressing, and which of our members an actor URL names."""

from typing import Any
from urllib.parse import urlsplit

from fireside.accounts.handles import handle_problem, normalize_handle
from fireside.accounts.models import Member
from fireside.federation import conf

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
#: The spellings of the public collection found in the wild (compacted JSON-LD too).
PUBLIC_ADDRESSES = frozenset({PUBLIC, "as:Public", "Public"})


def id_of(value: object) -> str | None:
    """The id of VALUE, which may be a link (a string) or an embedded object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def origin(url: str) -> str:
    """scheme://host[:port] of URL, lower-case: what "the same server" compares."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def addresses(
    *documents: dict[str, Any],
    fields: tuple[str, ...] = ("to", "cc", "bto", "bcc", "audience"),
) -> list[str]:
    """Every id the DOCUMENTS address in FIELDS, in order, without repeats."""
    found: dict[str, None] = {}
    for document in documents:
        for name in fields:
            value = document.get(name)
            for item in value if isinstance(value, list) else [value]:
                address = id_of(item)
                if address:
                    found.setdefault(address)
    return list(found)


def member_by_handle(handle: str) -> Member | None:
    """Our local member with exactly HANDLE (in its normal form). Stand-ins for remote
    people are never found: they are not actors of ours, nor found by WebFinger."""
    normal = normalize_handle(handle)
    if normal != handle or handle_problem(normal):
        return None
    return Member.objects.visible_to(None).local().filter(handle=normal).first()


def member_by_actor_id(actor_url: str | None) -> Member | None:
    """Our local member whose actor id is ACTOR_URL (https://domain/@handle/)."""
    prefix = conf.absolute("/@")
    if not actor_url or not actor_url.startswith(prefix):
        return None
    handle = actor_url.removeprefix(prefix)
    if not handle.endswith("/") or "/" in handle[:-1]:
        return None
    return member_by_handle(handle[:-1])

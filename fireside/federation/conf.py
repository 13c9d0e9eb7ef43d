"""Whether federation is on, and the absolute URLs other servers know us by.

Federation is off unless FIRESIDE_DOMAIN is set and SITE_URL is https: an id we hand out is
permanent for the rest of the fediverse, so we only hand out https ids on a real name. The
two settings are read on every call (not the derived FEDERATION_ENABLED) so that a test
flipping either one sees the change."""

import tomllib
from functools import cache

from django.conf import settings
from django.urls import reverse

from fireside.accounts.models import Member

#: JSON-LD media types an ActivityPub peer asks for or sends.
ACTIVITY_JSON = "application/activity+json"
LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
#: The @context of our actors: the extension terms they use, spelled as Mastodon and
#: FEP-2c59 (`webfinger`) define them.
ACTOR_CONTEXT = [
    AS_CONTEXT,
    SECURITY_CONTEXT,
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "discoverable": "http://joinmastodon.org/ns#discoverable",
        "webfinger": "https://purl.archive.org/socialweb/webfinger#webfinger",
    },
]


def enabled() -> bool:
    return bool(domain()) and str(settings.SITE_URL).startswith("https://")


def domain() -> str:
    """The public host name (with a port when it has one), lower-case; empty when unset."""
    return str(getattr(settings, "FIRESIDE_DOMAIN", "") or "").strip().lower()


def absolute(path: str) -> str:
    return f"https://{domain()}{path}"


def instance_actor_id() -> str:
    return absolute(reverse("instance_actor"))


def instance_key_id() -> str:
    return f"{instance_actor_id()}#main-key"


def actor_id(member: Member) -> str:
    """A member's actor id is their profile URL: browsers get the page, peers the JSON."""
    return absolute(reverse("member_detail", kwargs={"handle": member.handle}))


def key_id(member: Member) -> str:
    return f"{actor_id(member)}#main-key"


def acct(handle: str) -> str:
    return f"acct:{handle}@{domain()}"


@cache
def software_version() -> str:
    """Fireside's version, from pyproject.toml (the project is not installed as a package)."""
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0"

"""Remote actors: fetched (signed by our instance actor), cached in RemoteActor, and
refetched when asked to (keys rotate).

`resolve_key` is the key resolver inbox views give to signatures.verify_request."""

import functools
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fireside.core.text import plain_text
from fireside.federation import blocks, conf, vocab
from fireside.federation.fetch import FetchError, Signer, fetch_json
from fireside.federation.keys import instance_key
from fireside.federation.models import RemoteActor
from fireside.federation.signatures import sign_request

#: Actor types we accept as senders.
ACTOR_TYPES = {"Person", "Service", "Application", "Group", "Organization"}


def instance_signer() -> Signer:
    """Signs our fetches as the instance actor (servers with authorized fetch need it)."""
    return functools.partial(
        sign_request,
        key_id=conf.instance_key_id(),
        private_key_pem=instance_key().private_pem,
    )


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    found = parse_datetime(value)
    if found is None or timezone.is_naive(found):
        return None
    return found


def _store(document: dict[str, Any]) -> RemoteActor | None:
    """Save the actor DOCUMENT describes, or None when it is not a usable actor."""
    actor_id = document.get("id")
    inbox = document.get("inbox")
    key = document.get("publicKey")
    if isinstance(key, list):
        key = key[0] if key else None
    if (
        not isinstance(actor_id, str)
        or not isinstance(inbox, str)
        or document.get("type") not in ACTOR_TYPES
        or vocab.origin(inbox) != vocab.origin(actor_id)
    ):
        return None
    key_id = pem = ""
    if (
        isinstance(key, dict)
        and isinstance(key.get("id"), str)
        and isinstance(key.get("publicKeyPem"), str)
        and key.get("owner", actor_id) == actor_id
        and vocab.origin(key["id"]) == vocab.origin(actor_id)
    ):
        key_id, pem = key["id"], key["publicKeyPem"]
    endpoints = document.get("endpoints")
    shared = endpoints.get("sharedInbox") if isinstance(endpoints, dict) else None
    if not isinstance(shared, str) or vocab.origin(shared) != vocab.origin(actor_id):
        shared = ""
    url = document.get("url")
    if isinstance(url, dict):
        url = url.get("href")
    if not isinstance(url, str) or not url.startswith("https://"):
        url = ""
    actor, _ = RemoteActor.objects.update_or_create(
        actor_id=actor_id,
        defaults={
            "inbox": inbox[:2000],
            "shared_inbox": shared[:2000],
            "public_key_pem": pem,
            "key_id": key_id[:2000],
            "preferred_username": _text(document.get("preferredUsername"), 200),
            "name": plain_text(_text(document.get("name"), 2000))[:200],
            "url": url[:2000],
            "published": _datetime(document.get("published")),
            "actor_type": str(document.get("type"))[:30],
            "domain": (urlsplit(actor_id).hostname or "")[:255],
            "fetched_at": timezone.now(),
        },
    )
    return actor


def fetch_actor(actor_id: str) -> RemoteActor | None:
    """Fetch ACTOR_ID now and store it; None when it cannot be fetched or is no actor."""
    try:
        document = fetch_json(actor_id, signer=instance_signer())
    except FetchError:
        return None
    if document.get("id") != actor_id:
        return None
    return _store(document)


def get_actor(actor_id: str, *, refresh: bool = False) -> RemoteActor | None:
    """The RemoteActor for ACTOR_ID, from our cache unless REFRESH or unknown; None for
    an actor of a blocked instance."""
    if blocks.instance_blocked(actor_id):
        return None
    if not refresh:
        found = RemoteActor.objects.filter(actor_id=actor_id).first()
        if found is not None:
            return found
    return fetch_actor(actor_id)


def resolve_key(key_id: str, refresh: bool) -> tuple[str, str] | None:
    """(public key PEM, owner's actor id) for KEY_ID, from our cache unless REFRESH; the
    document at KEY_ID (without its fragment) is fetched otherwise. It may be the actor
    itself or a key document naming its `owner`, whose actor must then list this key."""
    if not refresh:
        cached = (
            RemoteActor.objects.filter(key_id=key_id).exclude(public_key_pem="").first()
        )
        if cached is not None:
            return cached.public_key_pem, cached.actor_id
    url = urldefrag(key_id).url
    try:
        document = fetch_json(url, signer=instance_signer())
    except FetchError:
        return None
    owner = document.get("owner")
    if "inbox" not in document and isinstance(owner, str):
        # A key document (as some servers serve): the owner must claim the key.
        if vocab.origin(owner) != vocab.origin(url):
            return None
        try:
            document = fetch_json(owner, signer=instance_signer())
        except FetchError:
            return None
        if document.get("id") != owner:
            return None
    elif vocab.origin(str(document.get("id", ""))) != vocab.origin(url):
        return None
    actor = _store(document)
    if actor is None or actor.key_id != key_id:
        return None
    return actor.public_key_pem, actor.actor_id

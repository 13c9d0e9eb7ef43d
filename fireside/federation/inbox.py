"""Inboxes: `POST /inbox` (shared) and `POST /@handle/inbox`.

A request is answered at once: 404 while federation is off, 413 above MAX_BODY, 415 for
anything but JSON, 400 for JSON that is no activity, 401 when the signature does not hold
or its signer is not the activity's `actor` (nothing is stored then; but see below),
403 for a blocked instance (the actor's or the signer's), 202 otherwise, with the
activity stored as an InboundActivity and processed by a task (`process`). A Delete
from an actor we never heard of is dropped with 202 before any key fetch: there is
nothing of theirs to delete, and a flood of them must cost us nothing.

A forwarded activity (signed by a server that passes on someone else's activity, as
Mastodon forwards replies) is re-fetched by its id from its actor's origin, during the
request: when that origin serves the same id by the same actor, the fetched document is
stored and processed, never the body that was posted."""

import json
import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from fireside.accounts.models import Member
from fireside.federation import actions, blocks, conf, groups, notes, responses, vocab
from fireside.federation.fetch import FetchError, fetch_json
from fireside.federation.models import InboundActivity, RemoteActor
from fireside.federation.remote import get_actor, instance_signer, resolve_key
from fireside.federation.signatures import SignatureError, check_actor, verify_request

logger = logging.getLogger(__name__)

#: Largest activity accepted, in bytes.
MAX_BODY = 256 * 1024
JSON_TYPES = {"application/activity+json", "application/ld+json", "application/json"}


def _blocked() -> JsonResponse:
    return responses.error(
        403, "instance_blocked", "This instance does not federate with yours."
    )


def _accepted() -> HttpResponse:
    return HttpResponse(status=202)


def _request_target(request: HttpRequest) -> str:
    """The path and query exactly as sent (signatures cover the raw bytes)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and scope.get("raw_path"):
        target = bytes(scope["raw_path"]).decode("latin-1")
        query = bytes(scope.get("query_string") or b"").decode("latin-1")
        return f"{target}?{query}" if query else target
    return request.get_full_path()


def receive(request: HttpRequest, recipient: Member | None) -> HttpResponse:
    """Take an activity POSTed to an inbox (RECIPIENT's, or a shared one: None)."""
    if request.method != "POST":
        return responses.error(405, "method_not_allowed", "An inbox only takes POST.")
    length = request.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        return responses.error(
            413, "too_large", f"Activities are limited to {MAX_BODY} bytes."
        )
    media = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media not in JSON_TYPES:
        return responses.error(
            415, "not_json", "Send an ActivityStreams JSON activity."
        )
    body = request.body
    if len(body) > MAX_BODY:
        return responses.error(
            413, "too_large", f"Activities are limited to {MAX_BODY} bytes."
        )
    try:
        activity = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return responses.error(400, "malformed", "The body is not valid JSON.")
    if not isinstance(activity, dict):
        return responses.error(400, "malformed", "The body must be a JSON object.")
    actor_id = activity.get("actor")
    if isinstance(actor_id, dict):
        actor_id = actor_id.get("id")
    kind = activity.get("type")
    if not isinstance(actor_id, str) or not isinstance(kind, str):
        return responses.error(
            400, "malformed", "An activity needs an actor and a type."
        )
    if blocks.instance_blocked(actor_id):
        return _blocked()
    if kind == "Delete" and not RemoteActor.objects.filter(actor_id=actor_id).exists():
        return _accepted()  # nothing of an unknown actor's to delete; no fetch
    try:
        verified = verify_request(
            request.method or "POST",
            _request_target(request),
            dict(request.headers),
            body,
            key_resolver=resolve_key,
        )
    except SignatureError as error:
        return responses.error(401, error.code, error.message)
    if blocks.instance_blocked(verified.actor_id):
        return _blocked()
    try:
        check_actor(verified, actor_id)
    except SignatureError as error:
        # Someone else's activity, forwarded (a reply to a member's post, relayed by
        # the server it was sent to): believed only as its origin serves it.
        fetched = _refetch_forwarded(activity, actor_id)
        if fetched is None:
            return responses.error(401, error.code, error.message)
        activity, kind = fetched, str(fetched["type"])
    inbound = InboundActivity.objects.create(
        raw=activity,
        actor_id=actor_id[:2000],
        activity_type=kind[:100],
        recipient=recipient,
    )
    transaction.on_commit(lambda: _enqueue(inbound.pk))
    return _accepted()


def _refetch_forwarded(
    activity: dict[str, Any], actor_id: str
) -> dict[str, Any] | None:
    """The activity as its origin serves it, when the one posted (signed by somebody
    else) has an id on the origin of its actor, and the document found there has the
    same id and the same actor; None otherwise. What the forwarder sent is never used:
    only what was fetched."""
    activity_id = activity.get("id")
    if not isinstance(activity_id, str) or vocab.origin(activity_id) != vocab.origin(
        actor_id
    ):
        return None
    try:
        fetched = fetch_json(activity_id, signer=instance_signer())
    except FetchError:
        return None
    fetched_actor = fetched.get("actor")
    if isinstance(fetched_actor, dict):
        fetched_actor = fetched_actor.get("id")
    if (
        fetched.get("id") != activity_id
        or fetched_actor != actor_id
        or not isinstance(fetched.get("type"), str)
    ):
        return None
    return fetched


def _enqueue(inbound_id: int) -> None:
    from fireside.federation.tasks import process_inbound

    process_inbound.enqueue(inbound_id)


@csrf_exempt
def shared_inbox(request: HttpRequest) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    return receive(request, None)


@csrf_exempt
def member_inbox(request: HttpRequest, handle: str) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    member = vocab.member_by_handle(handle)
    if member is None:
        return responses.error(404, "not_found", "No member here has that handle.")
    return receive(request, member)


# Processing --------------------------------------------------------------------------


def process(inbound: InboundActivity) -> tuple[str, str]:
    """Act on INBOUND; returns (state, note)."""
    activity: dict[str, Any] = inbound.raw
    kind = inbound.activity_type
    state, ignored = InboundActivity.State.PROCESSED, InboundActivity.State.IGNORED
    if blocks.instance_blocked(inbound.actor_id):
        return ignored, "the instance is blocked"
    target = activity.get("object")
    if kind == "Delete" and vocab.id_of(target) == inbound.actor_id:
        actor = RemoteActor.objects.filter(actor_id=inbound.actor_id).first()
        if actor is None:
            return ignored, "not the deletion of a known actor"
        actions.forget_actor(actor)
        return state, "actor forgotten"
    actor = get_actor(inbound.actor_id)
    if actor is None:
        return InboundActivity.State.FAILED, "the actor could not be fetched"
    if kind in ("Create", "Update", "Delete"):
        if groups.concerns_a_group(activity):
            return groups.process(inbound, actor)
        return notes.process(inbound, actor)
    if kind in ("Follow", "Undo", "Block") and groups.concerns_a_group(activity):
        return groups.process(inbound, actor)
    if kind == "Follow":
        member = vocab.member_by_actor_id(vocab.id_of(target))
        activity_id = vocab.id_of(activity)
        if member is None or activity_id is None:
            return ignored, "a follow of nobody here"
        actions.record_follow(member, actor, activity_id)
        return state, "follow recorded"
    if kind == "Undo":
        if isinstance(target, dict) and target.get("type") == "Follow":
            if target.get("actor") not in (None, inbound.actor_id):
                return ignored, "an undo of someone else's follow"
            member = vocab.member_by_actor_id(vocab.id_of(target.get("object")))
            if member is not None:
                actions.remove_follow(actor, member=member)
                return state, "follow undone"
        follow_id = vocab.id_of(target)
        if follow_id and actions.remove_follow(actor, activity_id=follow_id):
            return state, "follow undone"
        return ignored, "an undo of nothing we know"
    if kind == "Block":
        member = vocab.member_by_actor_id(vocab.id_of(target))
        if member is None:
            return ignored, "a block of nobody here"
        actions.remove_follow(actor, member=member)
        return state, "follow removed after a block"
    return ignored, f"{kind} is not handled"

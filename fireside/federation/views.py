"""Discovery: WebFinger, host-meta, NodeInfo and actor documents.

All of it answers 404 while federation is off (conf.enabled). Errors are JSON
{"detail", "code"} like the API's. Nothing here reveals a count: NodeInfo's usage is empty
and the follower collections carry no totalItems."""

import json
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fireside.accounts import views as account_views
from fireside.accounts.authentication import session_member
from fireside.accounts.handles import handle_problem, normalize_handle
from fireside.accounts.models import Member
from fireside.communities import views as community_views
from fireside.communities.models import Community
from fireside.core.exceptions import ValidationFailed
from fireside.core.htmx import render_page
from fireside.core.text import render_markdown
from fireside.dialogues import views as dialogue_views
from fireside.dialogues.models import Dialogue
from fireside.federation import actions, conf, forms, inbox, objects, responses, vocab
from fireside.federation.keys import instance_key, key_for
from fireside.federation.models import Follower
from fireside.posts import views as post_views
from fireside.posts.models import Post

JRD = "application/jrd+json"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"


def _json(data: dict[str, Any], content_type: str, cors: bool = False) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type=content_type
    )
    if cors:
        # Discovery documents are public; browser-based clients read them across origins.
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _activity(data: dict[str, Any]) -> HttpResponse:
    return _json(data, f"{conf.ACTIVITY_JSON}; charset=utf-8")


def wants_activity_json(request: HttpRequest) -> bool:
    """Whether the Accept header names an ActivityStreams type (with q above 0). Browsers
    never list these, so anything else (including */*) gets the HTML page."""
    for part in request.headers.get("Accept", "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.lower() not in ("application/activity+json", "application/ld+json"):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            return True
    return False


# WebFinger -------------------------------------------------------------------------------


def _group_for(slug: str) -> Community | None:
    """The federating community with SLUG, for WebFinger: a member with the same handle
    wins (acct:name@domain names one actor), so such a community is found by its URL
    only."""
    community = Community.objects.filter(slug=slug).first()
    if community is None or not objects.federates(community):
        return None
    if vocab.member_by_handle(slug) is not None:
        return None
    return community


def _resolve_resource(
    resource: str,
) -> tuple[str, Member | Community | None] | JsonResponse:
    """('member', member), ('group', community) or ('instance', None) for RESOURCE, or
    the error to answer. acct:name@domain is a member first, else a federating
    community whose slug is NAME (as Lemmy and Mastodon look groups up)."""
    here = conf.domain()
    if resource.startswith("https://"):
        if resource == conf.instance_actor_id():
            return ("instance", None)
        community = objects.community_for_actor_id(resource)
        if community is not None and objects.federates(community):
            return ("group", community)
        prefix = conf.absolute("/@")
        if not resource.startswith(prefix):
            return responses.error(404, "not_found", "No actor here has that address.")
        handle = resource.removeprefix(prefix).removesuffix("/")
    else:
        address = resource.removeprefix("acct:").removeprefix("@")
        handle, at, host = address.rpartition("@")
        if not at or not handle or not host or "/" in address or " " in address:
            return responses.error(
                400,
                "malformed_resource",
                "The resource must look like acct:handle@domain or be an actor URL.",
            )
        if host.lower() != here:
            return responses.error(
                404, "not_found", f"This server only answers for {here}."
            )
        if handle.lower() == here:
            return ("instance", None)
    member = vocab.member_by_handle(handle.lower())
    if member is None:
        group = _group_for(handle.lower())
        if group is not None:
            return ("group", group)
        return responses.error(404, "not_found", "No member here has that handle.")
    return ("member", member)


@require_safe
def webfinger(request: HttpRequest) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    resource = request.GET.get("resource", "").strip()
    if not resource:
        return responses.error(
            400, "missing_resource", "Say which account: ?resource=acct:handle@domain."
        )
    found = _resolve_resource(resource)
    if isinstance(found, JsonResponse):
        found["Access-Control-Allow-Origin"] = "*"
        return found
    kind, member = found
    if isinstance(member, Community):
        actor = objects.group_actor_id(member)
        subject, aliases = conf.acct(member.slug), [actor]
        if vocab.member_by_handle(member.slug) is not None:
            subject = actor  # found by URL; acct:slug@domain is the member's
        links = [
            {"rel": PROFILE_PAGE_REL, "type": "text/html", "href": actor},
            {"rel": "self", "type": conf.ACTIVITY_JSON, "href": actor},
        ]
    elif member is None:
        actor = conf.instance_actor_id()
        subject, aliases = conf.acct(conf.domain()), [actor]
        links = [{"rel": "self", "type": conf.ACTIVITY_JSON, "href": actor}]
    else:
        actor = conf.actor_id(member)
        subject, aliases = conf.acct(member.handle), [actor]
        links = [
            {"rel": PROFILE_PAGE_REL, "type": "text/html", "href": actor},
            {"rel": "self", "type": conf.ACTIVITY_JSON, "href": actor},
        ]
    data = {"subject": subject, "aliases": aliases, "links": links}
    return _json(data, JRD, cors=True)


@require_safe
def host_meta(request: HttpRequest) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    template = escape(conf.absolute(reverse("webfinger")) + "?resource={uri}")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="{JRD}" template="{template}"/>\n'
        "</XRD>\n"
    )
    response = HttpResponse(body, content_type="application/xrd+xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


# NodeInfo --------------------------------------------------------------------------------


@require_safe
def nodeinfo_discovery(request: HttpRequest) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    href = conf.absolute(reverse("nodeinfo"))
    return _json(
        {"links": [{"rel": NODEINFO_SCHEMA, "href": href}]},
        "application/json",
        cors=True,
    )


@require_safe
def nodeinfo(request: HttpRequest) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    data = {
        "version": "2.1",
        "software": {
            "name": "fireside",
            "version": conf.software_version(),
            "homepage": settings.SITE_URL,
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": True,  # sign-up is open to anyone with an email address
        # Fireside shows no counts, to people or to machines. The schema requires `usage`
        # and `usage.users` but none of their numbers, so both stay empty on purpose.
        "usage": {"users": {}},
        "metadata": {"nodeName": settings.SITE_NAME},
    }
    return _json(
        data,
        f'application/json; profile="{NODEINFO_SCHEMA}#"; charset=utf-8',
        cors=True,
    )


# Actors ----------------------------------------------------------------------------------


def person(member: Member) -> dict[str, Any]:
    """The ActivityPub Person document of MEMBER (public data only)."""
    actor = conf.actor_id(member)
    key = key_for(member)
    return {
        "@context": conf.ACTOR_CONTEXT,
        "id": actor,
        "type": "Person",
        "preferredUsername": member.handle,
        "name": member.display_name,
        "summary": str(render_markdown(member.bio)).strip(),
        "url": actor,
        "inbox": f"{actor}inbox",
        "outbox": f"{actor}outbox",
        "followers": f"{actor}followers",
        "following": f"{actor}following",
        "endpoints": {"sharedInbox": conf.absolute("/inbox")},
        "publicKey": {
            "id": conf.key_id(member),
            "owner": actor,
            "publicKeyPem": key.public_pem,
        },
        # Consent before contact: the member's own choice (approval is the default).
        "manuallyApprovesFollowers": actions.approves_follows(member),
        # Profiles are public by design (accounts.models.MemberQuerySet.visible_to).
        "discoverable": True,
        # FEP-2c59: the address to show, handle@domain (no "acct:", as the FEP says).
        "webfinger": conf.acct(member.handle).removeprefix("acct:"),
    }


@require_safe
def member_actor(request: HttpRequest, handle: str) -> HttpResponse:
    """A member's profile URL: the HTML page for browsers, the Person for peers."""
    if not wants_activity_json(request):
        response = account_views.member_detail(request, handle)
    elif not conf.enabled():
        response = responses.federation_off()
    else:
        normal = normalize_handle(handle)
        if normal != handle and not handle_problem(normal):
            response = redirect("member_detail", handle=normal, permanent=True)
        else:
            member = vocab.member_by_handle(handle)
            if member is None:
                response = responses.error(
                    404, "not_found", "No member here has that handle."
                )
            else:
                response = _activity(person(member))
    patch_vary_headers(response, ["Accept"])
    return response


def _hidden_collection(request: HttpRequest, handle: str, name: str) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    member = vocab.member_by_handle(handle)
    if member is None:
        return responses.error(404, "not_found", "No member here has that handle.")
    # Fireside never shows who follows whom nor how many: the collection exists (peers
    # expect it) but has neither items nor totalItems.
    return _activity(
        {
            "@context": conf.AS_CONTEXT,
            "id": f"{conf.actor_id(member)}{name}",
            "type": "OrderedCollection",
        }
    )


@require_safe
def member_followers(request: HttpRequest, handle: str) -> HttpResponse:
    return _hidden_collection(request, handle, "followers")


@require_safe
def member_following(request: HttpRequest, handle: str) -> HttpResponse:
    return _hidden_collection(request, handle, "following")


@require_safe
def instance_actor(request: HttpRequest) -> HttpResponse:
    """The instance actor, which signs our own fetches; served without a signature."""
    if not conf.enabled():
        return responses.federation_off()
    actor = conf.instance_actor_id()
    here = conf.domain()
    data = {
        "@context": conf.ACTOR_CONTEXT,
        "id": actor,
        "type": "Application",
        "preferredUsername": here,
        "name": settings.SITE_NAME,
        "url": conf.absolute("/about/"),
        "inbox": conf.absolute("/inbox"),
        "outbox": f"{actor}/outbox",
        "endpoints": {"sharedInbox": conf.absolute("/inbox")},
        "publicKey": {
            "id": conf.instance_key_id(),
            "owner": actor,
            "publicKeyPem": instance_key().public_pem,
        },
        "manuallyApprovesFollowers": True,
        "discoverable": False,
        "webfinger": f"{here}@{here}",
    }
    return _activity(data)


# Communities as Groups, outboxes and objects (FEP-1b12) -----------------------------------

#: How many activities an outbox lists, newest first (no paging, no totalItems).
OUTBOX_SIZE = 20


def _negotiated(request: HttpRequest) -> bool:
    """Whether a peer asks a page URL for its ActivityPub JSON."""
    return request.method in ("GET", "HEAD") and wants_activity_json(request)


def _federating(slug: str) -> Community | None:
    community = Community.objects.filter(slug=slug).first()
    if community is None or not objects.federates(community):
        return None
    return community


def _no_group() -> JsonResponse:
    return responses.error(
        404, "not_found", "No community here federates under that name."
    )


def community_actor(request: HttpRequest, slug: str) -> HttpResponse:
    """A community's page URL: the page for browsers, its Group actor for peers (listed
    open communities only)."""
    if not _negotiated(request):
        response = community_views.community_detail(request, slug)
    elif not conf.enabled():
        response = responses.federation_off()
    else:
        community = _federating(slug)
        if community is None:
            response = _no_group()
        else:
            response = _activity(
                objects.group(community, webfinger=vocab.member_by_handle(slug) is None)
            )
    patch_vary_headers(response, ["Accept"])
    return response


@csrf_exempt
def community_inbox(request: HttpRequest, slug: str) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    if _federating(slug) is None:
        return _no_group()
    return inbox.receive(request, None)


@require_safe
def community_followers(request: HttpRequest, slug: str) -> HttpResponse:
    if not conf.enabled():
        return responses.federation_off()
    community = _federating(slug)
    if community is None:
        return _no_group()
    # Like a member's: the collection exists, without items or totalItems.
    return _activity(
        {
            "@context": conf.AS_CONTEXT,
            "id": f"{objects.group_actor_id(community)}followers",
            "type": "OrderedCollection",
        }
    )


def _outbox(actor: str, items: list[tuple[Any, dict[str, Any]]]) -> HttpResponse:
    """An outbox of the newest Creates: ITEMS are (when, activity) pairs."""
    items.sort(key=lambda item: item[0], reverse=True)
    return _activity(
        {
            "@context": conf.AS_CONTEXT,
            "id": f"{actor}outbox",
            "type": "OrderedCollection",
            # No totalItems: how much someone wrote is not a number we show.
            "orderedItems": [activity for _, activity in items[:OUTBOX_SIZE]],
        }
    )


def _public_posts() -> Any:
    return (
        Post.objects.visible_to(None)
        .select_related("author", "community", "federated")
        .order_by("-created_at", "-id")
    )


def _public_dialogues() -> Any:
    return (
        Dialogue.objects.visible_to(None)
        .select_related(
            "community", "post", "conversation__initiator", "conversation__recipient"
        )
        .newest_first()
    )


@require_safe
def member_outbox(request: HttpRequest, handle: str) -> HttpResponse:
    """A member's newest public posts and published dialogues, as Creates."""
    if not conf.enabled():
        return responses.federation_off()
    member = vocab.member_by_handle(handle)
    if member is None:
        return responses.error(404, "not_found", "No member here has that handle.")
    posts = _public_posts().filter(author=member)[:OUTBOX_SIZE]
    dialogues = _public_dialogues().involving(member)[:OUTBOX_SIZE]
    items = [(post.created_at, objects.post_create(post)) for post in posts]
    items += [
        (dialogue.published_at, objects.dialogue_create(dialogue, member))
        for dialogue in dialogues
    ]
    return _outbox(conf.actor_id(member), items)


@require_safe
def community_outbox(request: HttpRequest, slug: str) -> HttpResponse:
    """A federating community's newest posts and dialogues, as Creates."""
    if not conf.enabled():
        return responses.federation_off()
    community = _federating(slug)
    if community is None:
        return _no_group()
    posts = _public_posts().filter(community=community)[:OUTBOX_SIZE]
    dialogues = _public_dialogues().filter(community=community)[:OUTBOX_SIZE]
    items = [(post.created_at, objects.post_create(post)) for post in posts]
    for dialogue in dialogues:
        local = [m for m in dialogue.participants() if not m.is_remote]
        if local:
            items.append(
                (dialogue.published_at, objects.dialogue_create(dialogue, local[0]))
            )
    return _outbox(objects.group_actor_id(community), items)


def _object(data: dict[str, Any]) -> HttpResponse:
    return _activity({"@context": conf.AS_CONTEXT, **data})


def post_object(request: HttpRequest, post_id: int) -> HttpResponse:
    """A post's URL: the page for browsers, its Page for peers (public posts written
    here only; a post from another server is fetched from there)."""
    if not _negotiated(request):
        response = post_views.post_detail(request, post_id)
    elif not conf.enabled():
        response = responses.federation_off()
    else:
        post = _public_posts().filter(pk=post_id, author__is_remote=False).first()
        if post is None:
            response = responses.error(
                404, "not_found", "No public post here has that id."
            )
        else:
            response = _object(objects.page(post))
    patch_vary_headers(response, ["Accept"])
    return response


def dialogue_object(request: HttpRequest, dialogue_id: int) -> HttpResponse:
    """A dialogue's URL: the page for browsers, its Article for peers (public ones)."""
    if not _negotiated(request):
        response = dialogue_views.dialogue_detail(request, dialogue_id)
    elif not conf.enabled():
        response = responses.federation_off()
    else:
        dialogue = _public_dialogues().filter(pk=dialogue_id).first()
        if dialogue is None:
            response = responses.error(
                404, "not_found", "No public dialogue here has that id."
            )
        else:
            response = _object(objects.article(dialogue))
    patch_vary_headers(response, ["Accept"])
    return response


# A member's settings ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def follow_settings(request: HttpRequest) -> HttpResponse:
    """Whether remote follows need the member's yes; pending requests; their followers."""
    member = session_member(request)
    initial = {
        "follows": "approve" if actions.approves_follows(member) else "automatic"
    }
    form = forms.FollowSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.set_approve_follows(member, form.cleaned_data["follows"] == "approve")
        messages.success(request, "Your choice is saved.")
        return redirect("follow_settings")
    followers = Follower.objects.visible_to(member).select_related("remote_actor")
    context = {
        "form": form,
        "pending": followers.filter(state=Follower.State.PENDING).order_by(
            "created_at"
        ),
        "accepted": followers.filter(state=Follower.State.ACCEPTED).order_by(
            "remote_actor__domain", "remote_actor__preferred_username"
        ),
        "federation_on": conf.enabled(),
    }
    return render_page(request, "federation/follow_settings.html", context)


@login_required
@require_POST
def follower_decide(request: HttpRequest, follower_id: int) -> HttpResponse:
    """Accept or refuse a pending follow request, or remove an accepted follower."""
    member = session_member(request)
    follower = get_object_or_404(Follower.objects.visible_to(member), pk=follower_id)
    form = forms.FollowDecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(
            {"decision": ["Choose to accept or to refuse."]}, code="invalid_decision"
        )
    handle = follower.remote_actor.handle
    if form.cleaned_data["decision"] == "accept":
        actions.accept_follow(follower, by=member)
        messages.success(request, f"{handle} now follows you.")
    else:
        actions.refuse_follow(follower, by=member)
        messages.success(request, f"{handle} does not follow you.")
    return redirect("follow_settings")

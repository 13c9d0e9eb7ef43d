from collections.abc import Sequence
from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from fireside.communities.models import Membership
from fireside.feed.actions import mark_feed_seen
from fireside.feed.queries import FeedItem, home_feed, item_moment


def _since_index(items: Sequence[FeedItem], last_visit: datetime | None) -> int | None:
    """Where the "since your last visit" line goes: before the first item older than the
    last visit, when newer items come before it."""
    if last_visit is None:
        return None
    for index, item in enumerate(items):
        if item_moment(item) <= last_visit:
            return index or None
    return None


@require_safe
@vary_on_headers("HX-Request")
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    cursor = request.GET.get("cursor") or None
    # A damaged cursor raises ValidationFailed: the error middleware answers 400 with why.
    page = home_feed(request.user, cursor=cursor)
    last_visit = None if cursor else mark_feed_seen(request.user)
    context = {
        "page": page,
        "cursor": cursor,
        "since_index": _since_index(page.items, last_visit),
        "has_communities": bool(page.items)
        or Membership.objects.active().filter(member=request.user).exists(),
    }
    if request.htmx and cursor:  # type: ignore[attr-defined]
        return render(request, "core/home.html#feed-page", context)
    return render(request, "core/home.html", context)


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    return render(
        request,
        "core/error.html",
        {"error": {"message": message, "code": code, "status": status}},
        status=status,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "csrf_failed",
        "This form expired or came from another site. Reload the page and try again.",
    )


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _error(request, 400, "bad_request", "That request could not be understood.")


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else "You are not allowed to do that."
    )
    return _error(request, 403, "forbidden", message)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _error(
        request, 404, "not_found", "There is nothing here, or it is not visible to you."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "server_error",
        "Something went wrong on our side. Try again in a moment.",
    )

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    return render(request, "core/home.html")


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

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fireside.core.exceptions import DomainError, RateLimited


class DomainErrorMiddleware:
    """Turn a DomainError that a view let through into a page, or an HTMX fragment that the
    base layout shows in its alert region."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if getattr(request, "htmx", False):
            response = render(
                request,
                "core/error.html#alert",
                {"error": exception},
                status=exception.status,
            )
            response["HX-Retarget"] = "#alerts"
            response["HX-Reswap"] = "innerHTML"
        else:
            response = render(
                request,
                "core/error.html",
                {"error": exception},
                status=exception.status,
            )
        if isinstance(exception, RateLimited):
            response["Retry-After"] = str(exception.retry_after)
        return response

"""Answering pages and HTMX requests from one view."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    htmx = request.htmx  # type: ignore[attr-defined]
    # Restoring history needs the whole page, though htmx asks for it like a fragment.
    return bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render TEMPLATE, or only its FRAGMENT partial (a name in TEMPLATE, or a
    "template#name") when htmx asks for a part. A form in CONTEXT with errors makes it 400."""
    if any(getattr(form, "errors", None) for form in context.values()) and status < 400:
        status = 400
    if fragment and wants_fragment(request):
        template = fragment if "#" in fragment else f"{template}#{fragment}"
    response = render(request, template, context, status=status)
    # One URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response

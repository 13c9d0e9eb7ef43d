"""The JSON API root. Every error leaves here as {"detail", "code"} (plus "errors" per field
for validation), with a 4xx status a client can act on."""

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from fireside.accounts.api import auth_router, me_router, members_router
from fireside.appeals.api import router as appeals_router
from fireside.blocklists.api import router as blocklists_router
from fireside.communities.api import router as communities_router
from fireside.connections.api import router as connections_router
from fireside.conversations.api import router as conversations_router
from fireside.core.exceptions import DomainError, RateLimited
from fireside.dialogues.api import router as dialogues_router
from fireside.federation.api import router as federation_router
from fireside.feed.api import router as feed_router
from fireside.moderation.api import router as moderation_router
from fireside.posts.api import router as posts_router
from fireside.ratings.api import router as ratings_router
from fireside.safety.api import router as safety_router
from fireside.staff.api import router as staff_router
from fireside.trust.api import router as trust_router
from fireside.yourdata.api import router as yourdata_router

api = NinjaAPI(
    title="Fireside API",
    version="1",
    description="One-to-one conversations inside topic communities. Authenticate with "
    "`Authorization: Bearer <token>` (from `POST /api/v1/auth/token`) or a session cookie.",
    urls_namespace="api",
)

api.add_router("/auth/", auth_router)
api.add_router("/me", me_router)
api.add_router("/me/trust", trust_router)
api.add_router("/members/", members_router)
api.add_router("/", communities_router)
api.add_router("/", posts_router)
api.add_router("/", feed_router)
api.add_router("/", conversations_router)
api.add_router("/", safety_router)
api.add_router("/", moderation_router)
api.add_router("/", appeals_router)
api.add_router("/staff/", staff_router)
api.add_router("/", blocklists_router)
api.add_router("/", dialogues_router)
api.add_router("/", ratings_router)
api.add_router("/", connections_router)
api.add_router("/", federation_router)
# Also registers DELETE me on me_router (account deletion lives with your data).
api.add_router("/", yourdata_router)


def error_response(
    request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    return api.create_response(
        request, {"detail": detail, "code": code, **extra}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    errors = getattr(error, "errors", None)
    if errors:
        extra["errors"] = errors
    if isinstance(error, RateLimited):
        extra["retry_after"] = error.retry_after
    response = error_response(request, error.status, error.code, error.message, **extra)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


_PYDANTIC_MESSAGES = {
    "missing": "This field is required.",
    "string_type": "Enter text here.",
    "int_type": "Enter a whole number.",
    "int_parsing": "Enter a whole number.",
    "bool_type": "Enter true or false.",
    "list_type": "Enter a list.",
    "dict_type": "Enter an object.",
    "model_type": "Enter an object.",
    "model_attributes_type": "Enter an object.",
    "json_invalid": "The request body is not valid JSON.",
    "string_too_long": "This is too long.",
    "string_too_short": "This is too short.",
    "extra_forbidden": "This field is not accepted here.",
    "literal_error": "Choose one of the allowed values.",
    "enum": "Choose one of the allowed values.",
}


# Where a value fails every member of a union (`list[str] | str`), pydantic names the
# member in the location ("list[str]", "str", "PostRef"): a client wants the field.
_UNION_MEMBER = re.compile(r"str|int|float|bool|bytes|none|.*[\[A-Z-].*")


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    parts = [
        str(part)
        for part in location
        if part not in ("body", "payload", "query", "path")
        and not (isinstance(part, str) and _UNION_MEMBER.fullmatch(part))
    ]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def on_validation_error(
    request: HttpRequest, error: NinjaValidationError
) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        field = _field_name(item.get("loc", ()))
        message = _PYDANTIC_MESSAGES.get(
            str(item.get("type")), str(item.get("msg", ""))
        )
        errors.setdefault(field, []).append(message)
    if list(errors) == ["body"]:
        detail = errors["body"][0]
    else:
        detail = "Some fields need another look: " + ", ".join(sorted(errors)) + "."
    return error_response(request, 400, "invalid", detail, errors=errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, error: Exception) -> HttpResponse:
    response = error_response(
        request,
        401,
        "not_authenticated",
        "Log in, or send a valid token as “Authorization: Bearer <token>”.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="fireside"'
    return response


@api.exception_handler(AuthorizationError)
@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, error: Exception) -> HttpResponse:
    return error_response(
        request, 403, "forbidden", str(error) or "You may not do that."
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    return error_response(
        request, 404, "not_found", "There is nothing here, or it is not visible to you."
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 400 and "parse request body" in str(error):
        return error_response(
            request, 400, "invalid_json", "The request body is not valid JSON."
        )
    if error.status_code == 403 and "CSRF" in str(error):
        return error_response(
            request,
            403,
            "csrf_failed",
            "This request used your session cookie without a CSRF token. Send the "
            "X-CSRFToken header from the page, or use a bearer token instead.",
        )
    return error_response(request, error.status_code, "error", str(error))

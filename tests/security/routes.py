"""Every route the project serves, read from the URL configuration and the OpenAPI schema,
so that a route added anywhere shows up here without anyone listing it by hand."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

#: URL namespaces that are not matched route by route here, and why.
SKIPPED_NAMESPACES = {
    "admin": "Django's admin: every page sits behind staff_member_required; its index is "
    "checked once by test_admin_is_for_staff_only.",
}


@dataclass(frozen=True)
class PageRoute:
    name: str
    route: str
    params: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class ApiOperation:
    method: str
    path: str  # as in the OpenAPI schema: /api/v1/conversations/{conversation_id}

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None
) -> Iterator[tuple[str | None, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                pattern.namespace or namespace,
            )
        else:
            yield namespace, prefix + str(pattern.pattern), pattern


def url_patterns() -> Iterator[tuple[str | None, str, URLPattern]]:
    """(namespace, full route, pattern) of every URL pattern, admin and API included."""
    yield from _walk(get_resolver().url_patterns, "", None)


def page_routes() -> list[PageRoute]:
    """The server-rendered pages: every pattern outside the API and the skipped namespaces."""
    found = []
    for namespace, route, pattern in url_patterns():
        if namespace in SKIPPED_NAMESPACES or namespace == "api":
            continue
        params = tuple(getattr(pattern.pattern, "converters", {}))
        # An unnamed page cannot be given a rule by name: it is reported under its route.
        found.append(PageRoute(pattern.name or f"<unnamed {route}>", route, params))
    return found


def openapi_schema() -> dict[str, object]:
    from fireside.api import api

    return api.get_openapi_schema()


def api_operations() -> list[ApiOperation]:
    """Every operation the OpenAPI schema documents."""
    paths = openapi_schema()["paths"]
    assert isinstance(paths, dict)
    return [
        ApiOperation(method.upper(), path)
        for path, operations in paths.items()
        for method in operations
    ]


def api_url_templates() -> set[str]:
    """The API's URL patterns as OpenAPI-style templates, to find routes the schema hides."""
    found = set()
    for namespace, route, _ in url_patterns():
        if namespace == "api":
            found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return found

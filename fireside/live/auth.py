"""Socket authentication: the session cookie (browsers) or `?token=` (other clients)."""

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from django.conf import settings


def _token_owner(secret: str) -> tuple[Any, int | None]:
    from fireside.accounts.actions import use_api_token

    token = use_api_token(secret)
    if token is None:
        return None, None
    return token.member, token.pk


class TokenAuthMiddleware(BaseMiddleware):  # type: ignore[misc]
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode())
        secrets = query.get("token")
        if secrets:
            member, token_id = await database_sync_to_async(_token_owner)(secrets[0])
            if member is not None:
                scope = {**scope, "user": member, "token_id": token_id}
        return await super().__call__(scope, receive, send)


class BrowserOriginValidator(OriginValidator):  # type: ignore[misc]
    """Refuse a socket whose Origin is not one of ALLOWED_HOSTS (cross-site hijacking).

    Browsers always send Origin on a WebSocket handshake; a request without one comes from a
    non-browser client, which no other site can drive, so it may connect (it still needs a
    token or a cookie it already holds)."""

    def valid_origin(self, parsed_origin: Any) -> bool:
        if parsed_origin is None:
            return True
        return bool(super().valid_origin(parsed_origin))


def origin_checked(application: Any) -> BrowserOriginValidator:
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(application, allowed)

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_STARTED_KEY = "fireside_started_at"


class SessionTimeoutMiddleware:
    """End a logged-in session SESSION_ABSOLUTE_SECONDS after log-in, however active it is.

    The idle timeout is the session cookie's own age (SESSION_COOKIE_AGE), renewed whenever
    the session is saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = int(time.time())
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(
                    request, "Your session ended after a long time. Log in again."
                )
        return self.get_response(request)

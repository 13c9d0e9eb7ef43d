from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from fireside.trust.actions import record_activity


class ActiveDayMiddleware:
    """Note the days a member uses Fireside, through pages or the API (a bearer token sets
    request.user during the view, so this looks after the response). Costs one cache
    lookup per request and one insert per member per day."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            record_activity(user)
        return response

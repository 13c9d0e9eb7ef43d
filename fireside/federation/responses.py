"""The JSON error answers of federation endpoints, shaped like the API's
({"detail", "code"}), shared by discovery views and inboxes."""

from django.http import JsonResponse


def error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def federation_off() -> JsonResponse:
    return error(404, "federation_off", "Federation is not enabled on this instance.")

from typing import Any

from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "fireside.trust"
    label = "trust"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_logged_in, dispatch_uid="trust-active-day")


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Logging in is activity too (Django's signal, not one of ours).
    from fireside.trust.actions import record_activity

    record_activity(user)

from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "fireside.federation"
    label = "federation"

    def ready(self) -> None:
        from fireside.federation import checks  # noqa: F401  (registers the checks)

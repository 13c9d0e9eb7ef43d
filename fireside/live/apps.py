from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "fireside.live"
    label = "live"

from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "fireside.appeals"
    label = "appeals"

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "fireside.safety"
    label = "safety"

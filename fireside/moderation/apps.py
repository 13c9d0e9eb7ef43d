from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "fireside.moderation"
    label = "moderation"
    verbose_name = "Moderation"

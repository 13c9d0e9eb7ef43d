from django.apps import AppConfig


class YourdataConfig(AppConfig):
    name = "fireside.yourdata"
    label = "yourdata"
    verbose_name = "Your data"

from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "fireside.ratings"
    label = "ratings"

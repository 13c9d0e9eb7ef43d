from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "fireside.feed"
    label = "feed"

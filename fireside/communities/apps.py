from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "fireside.communities"
    label = "communities"

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fireside.search"
    label = "search"

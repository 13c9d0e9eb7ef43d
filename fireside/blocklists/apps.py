from django.apps import AppConfig


class BlocklistsConfig(AppConfig):
    name = "fireside.blocklists"
    label = "blocklists"
    verbose_name = "Shared blocklists"

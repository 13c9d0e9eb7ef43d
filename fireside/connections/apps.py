from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "fireside.connections"
    label = "connections"

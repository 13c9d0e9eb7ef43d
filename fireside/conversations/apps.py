from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "fireside.conversations"
    label = "conversations"

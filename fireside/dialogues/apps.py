from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "fireside.dialogues"
    label = "dialogues"

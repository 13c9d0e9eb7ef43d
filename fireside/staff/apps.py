from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "fireside.staff"
    label = "staff"

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fireside.accounts"
    label = "accounts"

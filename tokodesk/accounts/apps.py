from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tokodesk.accounts"
    label = "accounts"

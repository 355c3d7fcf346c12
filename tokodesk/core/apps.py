from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tokodesk.core"
    label = "core"

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tokodesk.ops"
    label = "ops"

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "tokodesk.returns"
    label = "returns"

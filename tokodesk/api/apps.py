from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tokodesk.api"
    label = "api"

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tokodesk.catalog"
    label = "catalog"

from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "tokodesk.storefront"
    label = "storefront"

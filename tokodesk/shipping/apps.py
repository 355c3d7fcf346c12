from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "tokodesk.shipping"
    label = "shipping"

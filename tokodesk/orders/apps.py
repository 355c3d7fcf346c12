from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tokodesk.orders"
    label = "orders"

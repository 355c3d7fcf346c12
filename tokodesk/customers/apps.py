from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tokodesk.customers"
    label = "customers"

from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "tokodesk.shipping"
    label = "shipping"

    def ready(self):
        # The "Carriers" section of the settings page (issue 17).
        from tokodesk.shipping import carriers

        carriers.register_section()

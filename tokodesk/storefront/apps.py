from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "tokodesk.storefront"
    label = "storefront"

    def ready(self):
        from tokodesk.core import sections
        from tokodesk.storefront.views.customer_payment import order_detail_section

        # The order page shows what the buyer sent from their link: the proof of transfer
        # and the unique transfer code.
        sections.register(
            "orders.detail",
            "customer_payment",
            template="storefront/_order_payment_section.html",
            context=order_detail_section,
        )

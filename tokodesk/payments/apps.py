from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "tokodesk.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from tokodesk.core import sections
        from tokodesk.payments.order_section import cod_risk_section

        # A COD order not shipped yet shows when its customer refused COD parcels before.
        sections.register(
            "orders.detail",
            "cod_risk",
            template="payments/_cod_risk.html",
            head_template="payments/_cod_risk_head.html",
            context=cod_risk_section,
        )

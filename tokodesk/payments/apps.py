from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "tokodesk.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from tokodesk.core import sections
        from tokodesk.orders import transition_hooks
        from tokodesk.payments.order_section import claims_section, cod_risk_section
        from tokodesk.payments.rts import record_rts_fee

        # A COD order not shipped yet shows when its customer refused COD parcels before.
        sections.register(
            "orders.detail",
            "cod_risk",
            template="payments/_cod_risk.html",
            head_template="payments/_cod_risk_head.html",
            context=cod_risk_section,
        )
        # The order's courier claims (and "Claim from the courier" on a lost parcel).
        sections.register(
            "orders.detail",
            "claims",
            template="payments/_claims_section.html",
            context=claims_section,
        )
        # The "Payment methods" section of the settings page (issue 17).
        from tokodesk.payments import methods

        methods.register_section()
        # A parcel back at the seller: its RTS fee, in the transition's transaction.
        transition_hooks.register("returned_to_sender", "payments.rts_fee", record_rts_fee)

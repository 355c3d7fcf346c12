from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tokodesk.tracking"
    label = "tracking"
    verbose_name = _("Tracking")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tokodesk.core import jobs, sections
        from tokodesk.tracking import processing, selectors

        # Events stored by the webhook, the CSV import and the poll are applied by the worker.
        jobs.register(
            "tracking.process", processing.process_due, summary=processing.process_summary
        )
        sections.register(
            "orders.detail",
            "tracking",
            template="tracking/_order_section.html",
            context=selectors.order_section,
        )
        # Action needed: the courier events the order table refused, for a person to look at.
        sections.register(
            "orders.list",
            "tracking",
            template="tracking/_action_needed.html",
            context=selectors.action_needed_section,
        )
        sections.register(
            "storefront.order_link",
            "tracking",
            template="tracking/_buyer_section.html",
            context=selectors.buyer_section,
        )

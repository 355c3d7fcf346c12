from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "tokodesk.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from tokodesk.core import jobs, outbox, retention
        from tokodesk.webhooks import delivery

        # core's outbox.dispatch job (registered first) hands each new event to this fan-out;
        # this job then delivers what is due.
        outbox.register_consumer("webhooks", delivery.fan_out)
        jobs.register("webhooks.deliver", delivery.deliver_due, summary=delivery.deliver_summary)
        # The outbox keeps an event while one of its deliveries is still being retried.
        retention.register_pin("webhooks", delivery.pending_events)

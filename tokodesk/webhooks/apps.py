from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "tokodesk.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from tokodesk.core import jobs, outbox
        from tokodesk.webhooks import delivery

        # The outbox's dispatch runs here (core registers no job of its own): every pass
        # hands the new events to the consumers, this app's fan-out among them, then
        # delivers what is due.
        outbox.register_consumer("webhooks", delivery.fan_out)
        jobs.register("outbox.dispatch", outbox.dispatch, summary=outbox.dispatch_summary)
        jobs.register("webhooks.deliver", delivery.deliver_due, summary=delivery.deliver_summary)
